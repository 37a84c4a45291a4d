package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a warm layer allocates a call on the contiguous path: a few small objects (the segment views over ND4J's
 * buffer, DL4J's operation for a copy or assign), never anything that grows with the data or a layout's tables.
 * Until stop 31 {@link VecdropSpatialDropout} built a {@code ChannelLayout} every call to compare it with the last
 * one, and a layout of runs under 32 positions holds a table of 4,224 ints: 17,336 bytes a call for
 * {@code [8, 16, 4, 4]}. The counter is checked to measure: an array of known size in the same window must show.
 */
class LayerAllocationTest {

    /** Far below the 16.5 KiB table, and above the 272-472 bytes the views and operations took (stop 31). */
    private static final long MAX_BYTES_PER_CALL = 1_024;
    private static final int CALLS = 1_000;
    private static final int ROUNDS = 20;

    @Test
    void aWarmLayerAllocatesAFewSmallObjectsACallAndNoTable() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        INDArray dense = Nd4j.rand(DataType.FLOAT, 64, 256);
        INDArray denseOut = Nd4j.create(DataType.FLOAT, 64, 256);
        INDArray maps = Nd4j.rand(DataType.FLOAT, 8, 16, 4, 4); // runs of 16 positions: the layout with a table
        INDArray mapsOut = Nd4j.create(DataType.FLOAT, 8, 16, 4, 4);
        IDropout[] layers = {new VecdropDropout(0.5), new VecdropAlphaDropout(0.5), new VecdropGaussianDropout(0.5),
                new VecdropGaussianNoise(0.5), new VecdropSpatialDropout(0.5)};
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        List<String> over = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (IDropout layer : layers) {
            boolean spatial = layer instanceof VecdropSpatialDropout;
            INDArray in = spatial ? maps : dense;
            INDArray out = spatial ? mapsOut : denseOut;
            for (int i = 0; i < 5_000; i++) {
                layer.applyDropout(in, out, i, 0, workspaces);
                layer.backprop(out, out, i, 0);
            }
            // The least of several rounds: until C2 has compiled the Vector API kernels they box their vectors (a
            // busy machine delays that), while a table made every call shows in every round.
            long forward = Long.MAX_VALUE;
            long backward = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS && Math.max(forward, backward) > MAX_BYTES_PER_CALL; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    layer.applyDropout(in, out, i, 1, workspaces);
                }
                forward = Math.min(forward, (threads.getCurrentThreadAllocatedBytes() - before) / CALLS);
                before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    layer.backprop(out, out, i, 1);
                }
                backward = Math.min(backward, (threads.getCurrentThreadAllocatedBytes() - before) / CALLS);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            byte[] known = new byte[CALLS * (int) MAX_BYTES_PER_CALL];
            long measured = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(measured >= known.length, "the counter does not measure: " + measured + " bytes for an array of "
                    + known.length);
            String line = layer.getClass().getSimpleName() + ": forward " + forward + ", backprop " + backward
                    + " bytes a call";
            all.append(line).append('\n');
            if (Math.max(forward, backward) > MAX_BYTES_PER_CALL) {
                over.add(line);
            }
        }
        System.out.print(all);
        assertTrue(over.isEmpty(), "over " + MAX_BYTES_PER_CALL + " bytes a call: " + over + "\nall:\n" + all);
    }
}
