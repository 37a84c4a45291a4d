package dev.vecdrop;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Pays the JIT's start-up cost at start-up instead of on the first requests.
 *
 * <p>Until C2 has compiled them, Vector API kernels run in the interpreter or C1, box every vector, allocate
 * megabytes per call and run hundreds of times slower (docs/benchmarks.md, "Warm-up"). {@link #run()} drives
 * every kernel of the implementation this JVM picked, through the public entry points, on a private buffer:
 * training forward with and without a mask, the mask alone, both backwards, eval of both scalings, even and odd
 * stream offsets, region lengths with and without a vector tail, and the chunked path of
 * {@link ParallelDropout} (on the calling thread). It repeats this in rounds until compilation shows: a round
 * of the single-call operations allocates nothing (interpreted or C1-compiled vector code always allocates) in
 * {@value #SETTLED_ROUNDS} rounds in a row, after at least {@value #MIN_ROUNDS} rounds, or until the time limit.
 * Where the JVM cannot count allocated bytes (no {@code jdk.management}), it runs {@value #MIN_ROUNDS} rounds
 * and reports {@code settled = false}.
 *
 * <p>Call it once, before serving: it takes about a second. Results of later calls are unaffected (warm-up
 * uses its own stream positions and buffers; nothing is shared).
 *
 * <p>Thread-safety: safe to call from any thread, any number of times. Allocation: a few small buffers per call
 * (about 40 KB), and whatever the JIT's not-yet-compiled code allocates while it runs.
 */
public final class WarmUp {

    /** Rounds always run, so that C2 has seen every branch's profile before it compiles. */
    public static final int MIN_ROUNDS = 300;
    /** Consecutive allocation-free rounds that count as "compiled". */
    public static final int SETTLED_ROUNDS = 20;
    /** Default time limit of {@link #run()}. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(20);

    private static final int LENGTH = 4096 + 63; // a vector body, a tail, and a partial mask word at every width
    private static final Executor CALLER_RUNS = Runnable::run;

    /**
     * What a warm-up did.
     *
     * @param rounds         rounds of every operation run
     * @param nanos          time taken
     * @param settled        whether {@value #SETTLED_ROUNDS} rounds in a row allocated nothing
     * @param implementation the kernels warmed up ({@link Vectorization#implementation()})
     */
    public record Report(int rounds, long nanos, boolean settled, String implementation) {}

    private WarmUp() {}

    /** Warms up with {@link #DEFAULT_LIMIT}. */
    public static Report run() {
        return run(DEFAULT_LIMIT);
    }

    /**
     * Warms up, stopping after {@code limit} even if compilation has not shown.
     *
     * @throws NullPointerException if {@code limit} is null
     */
    public static Report run(Duration limit) {
        long budget = limit.toNanos();
        float[] x = new float[LENGTH];
        float[] y = new float[LENGTH];
        long[] mask = new long[Dropout.maskWords(LENGTH)];
        for (int i = 0; i < LENGTH; i++) {
            x[i] = (i % 97) * 0.125f - 6;
        }
        Dropout inverted = Dropout.inverted(0.5);
        Dropout classic = Dropout.classic(0.25);
        // Two "threads" on the caller: the chunked path's code is what runs on pool threads.
        ParallelDropout parallel = ParallelDropout.of(inverted, CALLER_RUNS, 2).withMinParallelLength(0);
        AllocationCounter counter = AllocationCounter.create();
        long start = System.nanoTime();
        int rounds = 0;
        int quiet = 0;
        while (true) {
            long before = counter.bytes();
            round(rounds, inverted, classic, x, y, mask);
            long allocated = counter.bytes() - before;
            parallelRound(rounds, parallel, x, y, mask); // allocates its job by design: not counted
            rounds++;
            quiet = counter.works() && allocated == 0 ? quiet + 1 : 0;
            boolean enough = rounds >= MIN_ROUNDS && (quiet >= SETTLED_ROUNDS || !counter.works());
            if (enough || System.nanoTime() - start > budget) {
                return new Report(rounds, System.nanoTime() - start, quiet >= SETTLED_ROUNDS,
                        Vectorization.implementation());
            }
        }
    }

    /** Every single-call operation once or twice, lengths and stream parities varying with the round. */
    private static void round(int r, Dropout inverted, Dropout classic, float[] x, float[] y, long[] mask) {
        int n = LENGTH - (r & 63); // every tail length over 64 rounds
        long even = 2L * r;
        long odd = even + 1;
        inverted.forward(r, even, x, 0, y, 0, n);
        inverted.forward(r, odd, x, 0, y, 0, n);
        inverted.forward(r, odd, x, 0, y, 0, n, mask, 0);
        classic.forward(r, even, x, 0, y, 0, n, mask, 0);
        inverted.mask(r, odd, mask, 0, n);
        classic.mask(r, even, mask, 0, n);
        inverted.backward(r, even, y, 0, y, 0, n);
        classic.backward(r, odd, x, 0, y, 0, n);
        inverted.backward(mask, 0, x, 0, y, 0, n);
        classic.backward(mask, 0, y, 0, y, 0, n);
        inverted.eval(x, 0, y, 0, n);
        classic.eval(x, 0, y, 0, n);
        classic.eval(y, 0, y, 0, 7); // shorter than any vector: the tail alone
        inverted.forward(r, odd, y, 0, y, 0, 5);
    }

    private static void parallelRound(int r, ParallelDropout parallel, float[] x, float[] y, long[] mask) {
        if ((r & 7) != 0) {
            return; // the chunk loop compiles fast; the kernels it calls are the ones above
        }
        parallel.forward(r, 2L * r + 1, x, 0, y, 0, x.length, mask, 0);
        parallel.backward(mask, 0, y, 0, y, 0, x.length);
        parallel.eval(x, 0, y, 0, x.length);
    }

    /** The current thread's allocated bytes, where the JVM can count them. */
    private static final class AllocationCounter {
        private final com.sun.management.ThreadMXBean threads;

        private AllocationCounter(com.sun.management.ThreadMXBean threads) {
            this.threads = threads;
        }

        static AllocationCounter create() {
            try {
                if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                        && t.isThreadAllocatedMemorySupported()) {
                    if (!t.isThreadAllocatedMemoryEnabled()) {
                        t.setThreadAllocatedMemoryEnabled(true);
                    }
                    if (t.getCurrentThreadAllocatedBytes() >= 0) {
                        return new AllocationCounter(t);
                    }
                }
            } catch (LinkageError | UnsupportedOperationException | SecurityException e) {
                // no jdk.management in this runtime, or not allowed: fall back to a fixed number of rounds
            }
            return new AllocationCounter(null);
        }

        boolean works() {
            return threads != null;
        }

        long bytes() {
            return threads == null ? 0 : threads.getCurrentThreadAllocatedBytes();
        }
    }
}
