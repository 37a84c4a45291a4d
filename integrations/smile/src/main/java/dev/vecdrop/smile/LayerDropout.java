package dev.vecdrop.smile;

import dev.vecdrop.Dropout;
import dev.vecdrop.FloatSegmentDropout;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import smile.tensor.ScalarType;
import smile.tensor.Vector;

/**
 * The dropout of one Smile layer on vecdrop: what {@link VecdropHiddenLayer} and {@link VecdropInputLayer} share (they
 * extend two different Smile classes, so they hold this rather than inherit it).
 *
 * <p>A layer's masks are one mask stream, {@code (seed, e)}: forward call {@code k} of the layer (counted over all
 * threads) takes elements {@code [k n, (k + 1) n)}. The backward on a thread regenerates the mask of that thread's
 * last forward (nothing is stored but its window), as Smile's own multilayer perceptron calls them: a sample's
 * forward, then its backward, on one thread.
 *
 * <p>Serialized with its layer: the probability, the seed and the count of forward calls, so a restored layer goes on
 * with the masks its original would have drawn next; the rest is rebuilt.
 *
 * <p>Thread-safety: any number of threads, each running its own forward/backward pairs (the call count is atomic,
 * the last window per thread). Allocation: none per call after a thread's first ({@link ThreadLocal}'s entry).
 */
final class LayerDropout implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    /** A thread's window before its first forward: a backward then has no mask to regenerate. */
    private static final long NO_FORWARD = -1;

    private final int n;
    private final double p;
    private final long seed;
    private final AtomicLong forwardCalls = new AtomicLong();
    private transient FloatSegmentDropout dropout;
    private transient ThreadLocal<long[]> lastWindow;

    /**
     * @param n    the layer's output size (the mask's length)
     * @param p    the drop probability, {@code 0 <= p < 1}: its range checked by Smile's layer constructor, NaN by
     *             the library
     * @param seed the mask stream's seed
     */
    LayerDropout(int n, double p, long seed) {
        this.n = n;
        this.p = p;
        this.seed = seed;
        init();
    }

    private void init() {
        dropout = Dropout.inverted(p).floatSegments();
        lastWindow = ThreadLocal.withInitial(() -> new long[] {NO_FORWARD});
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        init();
    }

    /** {@return the mask stream's seed} */
    long seed() {
        return seed;
    }

    /** {@return how many forward calls this layer has made, over all threads} */
    long forwardCalls() {
        return forwardCalls.get();
    }

    /** Training forward in place over the layer's output, with the next window of the stream; nothing when p = 0. */
    void forward(Vector output) {
        if (p == 0) { // as Smile's: no dropout, and no window taken
            return;
        }
        MemorySegment values = floats(output, "output");
        long window = Math.multiplyExact(forwardCalls.getAndIncrement(), (long) n);
        dropout.forward(seed, window, values, 0, values, 0, n);
        lastWindow.get()[0] = window;
    }

    /**
     * Backward in place over the gradient of the layer's output, with the mask of this thread's last forward;
     * nothing when p = 0.
     */
    void backward(Vector gradient) {
        if (p == 0) {
            return;
        }
        MemorySegment values = floats(gradient, "gradient");
        long window = lastWindow.get()[0];
        if (window == NO_FORWARD) {
            throw new IllegalStateException("dropout backward on a thread that has run no forward on this layer");
        }
        dropout.backward(seed, window, values, 0, values, 0, n);
    }

    /** Forgets this thread's last forward (a layer's {@code close}: Smile's removes its per-thread buffers). */
    void close() {
        lastWindow.remove();
    }

    /** The vector's values, checked: float32 (Smile's layers' type) and the layer's size. */
    private MemorySegment floats(Vector v, String name) {
        if (v.scalarType() != ScalarType.Float32) {
            throw new IllegalArgumentException("vecdrop's Smile layers take float32 vectors (Smile's own type for "
                    + "multilayer perceptrons); the " + name + " is " + v.scalarType());
        }
        if (v.size() != n) {
            throw new IllegalArgumentException("the " + name + " has " + v.size() + " values; the layer has " + n);
        }
        return v.memory();
    }
}
