package dev.vecdrop;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Warms the public entry points up in a given order, then counts the bytes each allocates over many calls with
 * {@code com.sun.management.ThreadMXBean}. Run in the test JVM and, as {@link #main}, in fresh JVMs with other
 * orders: which kernels box depends on what C2 compiled first.
 */
final class AllocationProbe {

    enum Op { FORWARD, FORWARD_MASK, MASK, BACKWARD_REGENERATE, BACKWARD_BITS, EVAL_CLASSIC, LAYER }

    static final int WARM_UP_CALLS = 30_000;
    static final int MEASURED_CALLS = 5_000;
    private static final int[] SIZES = {7, 64, 100, 1000, 4099};
    private static final long[] STREAM_OFFSETS = {0, 1, 64, 333, 1L << 40};

    private final float[] x = new float[4099];
    private final float[] y = new float[4099];
    private final long[] mask = new long[Dropout.maskWords(4099)];
    private final Dropout inverted = Dropout.inverted(0.5);
    private final Dropout classic = Dropout.classic(0.3);
    private final DropoutLayer layer = new DropoutLayer(Dropout.inverted(0.2), 5);
    private int step;

    AllocationProbe() {
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.25f - 100;
        }
    }

    /** One call of {@code op}, cycling through sizes and even and odd stream offsets. */
    private void call(Op op) {
        int n = SIZES[step % SIZES.length];
        long streamOffset = STREAM_OFFSETS[step % STREAM_OFFSETS.length];
        step++;
        switch (op) {
            case FORWARD -> inverted.forward(step, streamOffset, x, 0, y, 0, n);
            case FORWARD_MASK -> classic.forward(step, streamOffset, x, 0, y, 0, n, mask, 0);
            case MASK -> inverted.mask(step, streamOffset, mask, 0, n);
            case BACKWARD_REGENERATE -> inverted.backward(step, streamOffset, x, 0, y, 0, n);
            case BACKWARD_BITS -> inverted.backward(mask, 0, x, 0, y, 0, n);
            case EVAL_CLASSIC -> classic.eval(x, 0, y, 0, n);
            case LAYER -> layer.backward(layer.forward(x, 0, y, 0, n), y, 0, y, 0, n);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Warms every op up in {@code order}, then returns the fewest bytes each allocated in three measured rounds. */
    Map<Op, Long> run(List<Op> order) {
        for (Op op : order) {
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                call(op);
            }
        }
        Map<Op, Long> bytes = new EnumMap<>(Op.class);
        for (int round = 0; round < 3; round++) {
            for (Op op : order) {
                long before = allocatedBytes();
                for (int i = 0; i < MEASURED_CALLS; i++) {
                    call(op);
                }
                long used = allocatedBytes() - before;
                bytes.merge(op, used, Math::min);
            }
        }
        return bytes;
    }

    /** Args: the ops in warm-up order. Prints {@code OP BYTES} per line. */
    public static void main(String[] args) {
        List<Op> order = new ArrayList<>();
        for (String arg : args) {
            order.add(Op.valueOf(arg));
        }
        new AllocationProbe().run(order).forEach((op, bytes) -> System.out.println(op + " " + bytes));
    }
}
