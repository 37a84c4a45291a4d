package dev.vecdrop.dl4j;

import dev.vecdrop.Dropout;
import dev.vecdrop.Seeds;
import java.io.Serial;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the five {@link IDropout} layers of this package share: one parameter and a seed as configuration, the
 * {@code (iteration, epoch)} to stream seed and offset mapping ({@link VecdropDropout} documents it), the
 * {@code applyDropout}/{@code backprop} glue, {@code clear}, {@code readResolve}, {@code equals}, {@code hashCode}
 * and {@code toString}.
 *
 * <p>The configuration fields stay in the concrete classes, not here: they are those classes' Java serialized form
 * (and their JSON), and a field moved to a superclass would be read back from an existing stream as 0. This class
 * has no serialized fields, so its descriptor in a stream is empty and streams read both ways.
 *
 * <p>One piece of state, not configuration: per thread, the shapes of the training forwards at that thread's latest
 * {@code (iteration, epoch)}, one of which a backward at those counts must match ({@link #backprop} says why).
 * Several, so that one instance may still serve several layers; per thread, because DL4J runs a layer's forward and
 * backward on one thread, while networks built from one layer configuration share its instance and train on
 * threads of their own, each at its own counts. Transient: neither Java serialization nor the JSON form sees it.
 *
 * <p>Thread-safety: the configuration is immutable; the forwards' shapes are each thread's own. Allocation: the shape
 * DL4J returns per training forward, and a thread's record on its first.
 */
abstract class SeededDropout implements IDropout {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * One thread's shapes of the training forwards at its latest {@code (iteration, epoch)}: at most
     * {@link #MAX_SHAPES}, past which the check is given up for those counts rather than risk refusing a right
     * backward.
     */
    private static final class Forwards {
        private static final int MAX_SHAPES = 16;
        private int iteration = -1;
        private int epoch = -1;
        private final long[][] shapes = new long[MAX_SHAPES][];
        private int count;
        private boolean overflowed;

        void add(int iteration, int epoch, long[] shape) {
            if (iteration != this.iteration || epoch != this.epoch) {
                this.iteration = iteration;
                this.epoch = epoch;
                Arrays.fill(shapes, null);
                count = 0;
                overflowed = false;
            }
            for (int i = 0; i < count; i++) {
                if (Arrays.equals(shapes[i], shape)) {
                    return;
                }
            }
            if (count == MAX_SHAPES) {
                overflowed = true;
            } else {
                shapes[count++] = shape;
            }
        }

        /** {@return a forward's shape at these counts that differs from {@code shape}, when none equals it} */
        long[] mismatch(int iteration, int epoch, long[] shape) {
            if (iteration != this.iteration || epoch != this.epoch || overflowed || count == 0) {
                return null;
            }
            for (int i = 0; i < count; i++) {
                if (Arrays.equals(shapes[i], shape)) {
                    return null;
                }
            }
            return shapes[0];
        }
    }

    /**
     * Never serialized: an instance read back is replaced by a clone ({@link #readResolve}), which has its own. Per
     * thread: two networks sharing this instance on two threads, each at its own counts, emptied each other's record
     * and had right backwards refused (a review helper, stop 32).
     */
    private final transient ThreadLocal<Forwards> forwards = ThreadLocal.withInitial(Forwards::new);

    /** {@return the seed of the mask or normal stream} */
    public abstract long seed();

    /** {@return an equal layer (same parameter and seed), built and validated anew} */
    @Override
    public abstract IDropout clone(); // redeclared: Object's protected clone() cannot implement IDropout's

    /** {@return the one configured number, as {@code equals} and {@code hashCode} compare it} */
    abstract double parameter();

    /** {@return the constant each class has always added to its hash code} */
    abstract int hashSalt();

    /**
     * The parameter part of {@code toString}: by default that of the three layers configured by a drop
     * probability, {@code retain=0.8, drop=0.2}.
     */
    String describeParameter() {
        double drop = parameter();
        return "retain=" + (1.0 - drop) + ", drop=" + drop;
    }

    /** One call, forward or backward, at DL4J's counts; the counts are checked, epoch first. */
    abstract void run(INDArray in, INDArray out, int iteration, int epoch, boolean backward);

    /**
     * Training forward, element by element in c order, with the mask or noise of DL4J's {@code (iteration, epoch)}:
     * the class description gives the formula.
     *
     * @param inputActivations the activations; same shape as {@code output}
     * @param output           where the result goes; may be {@code inputActivations}
     * @param iteration        DL4J's iteration count: selects the mask or noise with {@code epoch}
     * @param epoch            DL4J's epoch count
     * @param workspaceMgr     unused: nothing is allocated in a workspace
     * @return {@code output}
     */
    @Override
    public INDArray applyDropout(INDArray inputActivations, INDArray output, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        run(inputActivations, output, iteration, epoch, false);
        forwards.get().add(iteration, epoch, inputActivations.shape());
        return output;
    }

    /**
     * Backward through the {@link #applyDropout} call at the same {@code (iteration, epoch)}: the class
     * description gives the formula (the mask or the gaussian dropout's factors regenerated; gaussian noise's
     * backward is the identity, which writes nothing in place).
     *
     * <p>The mask is regenerated element by element in c order, so the gradient must come in the forward's layout.
     * Two DL4J 1.0.0-M2.1 layers hand it over permuted: {@code ConvolutionLayer} with {@code CNN2DFormat.NHWC}
     * (forward {@code [N, H, W, C]}, backward {@code [N, C, H, W]}) and {@code SimpleRnn} with {@code RNNFormat.NWC}
     * ({@code [N, T, C]}, then {@code [N, C, T]}), where a regenerated mask would silently be a shuffled one (DL4J's
     * own dropout, which keeps its mask, fails there with a shape error). So a backward whose shape is none of the
     * forwards' at the same counts throws {@link IllegalStateException}, before writing; for such a layer put a
     * separate {@code DropoutLayer} in front of it. Where the permuted shape equals the forward's ({@code H = W = C},
     * {@code T = C}) this check cannot see it.
     *
     * @param gradAtOutput the gradient of the layer's output
     * @param gradAtInput  where the gradient of its input goes; may be {@code gradAtOutput}
     * @param iteration    the forward's iteration count
     * @param epoch        the forward's epoch count
     * @return {@code gradAtInput}
     */
    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        long[] forward = backwardNeedsForwardLayout()
                ? forwards.get().mismatch(iteration, epoch, gradAtOutput.shape()) : null;
        if (forward != null) {
            throw new IllegalStateException("backprop at iteration " + iteration + ", epoch " + epoch + " got shape "
                    + Arrays.toString(gradAtOutput.shape()) + ", its forward " + Arrays.toString(forward)
                    + ": the layer hands the gradient over in another layout (DL4J's ConvolutionLayer with NHWC, "
                    + "SimpleRnn with NWC), where the regenerated mask would not match; put a DropoutLayer in front "
                    + "of the layer instead");
        }
        run(gradAtOutput, gradAtInput, iteration, epoch, true);
        return gradAtInput;
    }

    /** Whether the backward depends on the element order (all but gaussian noise's identity). */
    boolean backwardNeedsForwardLayout() {
        return true;
    }

    /** Nothing to release: no mask or noise is stored between {@link #applyDropout} and {@link #backprop}. */
    @Override
    public void clear() {
        // stateless by design
    }

    /**
     * Java serialization writes the subclass's two fields; this rebuilds (and re-validates) the transient rest.
     * Package-private, not private, so that serialization finds it for each subclass in this package.
     */
    @Serial
    Object readResolve() {
        return clone();
    }

    /** {@inheritDoc} Equal: the same class, parameter (bit for bit) and seed. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SeededDropout other && other.getClass() == getClass()
                && Double.doubleToLongBits(parameter()) == Double.doubleToLongBits(other.parameter())
                && seed() == other.seed();
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(parameter()) + Long.hashCode(seed()) + hashSalt();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + describeParameter() + ", seed=" + seed() + "]";
    }

    /** {@link #run} of the layers that are a vecdrop {@link Dropout}. */
    final void runDropout(Dropout dropout, INDArray in, INDArray out, int iteration, int epoch, boolean backward) {
        NdArrays.apply(dropout, streamSeed(seed(), epoch), windowStart(iteration), in, out, backward);
    }

    /** {@code Seeds.derive(seed, epoch)}: the stream seed of the calls at {@code epoch}. */
    static long streamSeed(long seed, int epoch) {
        checkEpoch(epoch);
        return Seeds.derive(seed, epoch);
    }

    /** {@code iteration * 2^32}: the stream element of element 0 of the call at {@code iteration}. */
    static long windowStart(int iteration) {
        checkIteration(iteration);
        return (long) iteration << 32;
    }

    /** The checks {@link #streamSeed} and {@link #windowStart} make of DL4J's counts, for a call using neither. */
    static void checkCounts(int iteration, int epoch) {
        checkEpoch(epoch); // in the order the forward meets them: streamSeed, then windowStart
        checkIteration(iteration);
    }

    private static void checkEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
    }

    private static void checkIteration(int iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        }
    }

    /** Returns {@code dropProbability} if it is in {@code [0, 1)}, else throws. */
    static double checkDrop(double dropProbability) {
        if (!(dropProbability >= 0.0 && dropProbability < 1.0)) {
            throw new IllegalArgumentException("drop probability must be in [0, 1) (retain probability in (0, 1]), got "
                    + dropProbability);
        }
        return dropProbability;
    }

    /** Returns the drop probability of a DL4J retain probability in {@code (0, 1]}, else throws. */
    static double dropFromRetain(double retainProbability) {
        if (!(retainProbability > 0.0 && retainProbability <= 1.0)) {
            throw new IllegalArgumentException("retain probability (DL4J convention: the probability of KEEPING an "
                    + "activation) must be in (0, 1], got " + retainProbability
                    + "; for a drop probability use withDropProbability(p)");
        }
        return 1.0 - retainProbability;
    }
}
