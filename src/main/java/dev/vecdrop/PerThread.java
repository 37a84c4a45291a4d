package dev.vecdrop;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;

/**
 * A value per thread, made on the thread's first {@link #get}, like a {@link ThreadLocal}, that also lasts on the
 * workers of {@link ForkJoinPool#commonPool()}: JDK 25's common pool clears its workers' thread-locals whenever they
 * go idle, so a scratch block held in a {@code ThreadLocal} was made again on nearly every split call there
 * (2.7-4.4 KB per {@link ParallelGaussian} call of 1M floats on 2 threads, against 195 bytes on a
 * {@code new ForkJoinPool(2)}; stop 30). A common-pool worker's value is kept by its pool index instead, which
 * {@link ForkJoinWorkerThread#getPoolIndex()} keeps unique among the pool's live workers: a worker that ends leaves
 * its value to the next one given its index, never to two threads at once.
 *
 * <p>Thread-safety: safe; each value is only ever handed to one thread at a time. Allocation: the value, once per
 * thread (per common-pool index), and the common pool's slot array on its first use and when a worker's index passes
 * its length (then copied; a value another worker stored meanwhile may be dropped, and made again). A common-pool
 * worker's value outlives the worker (it waits for the next worker given that index): over time about one per
 * index the pool has used, a few times its parallelism. Workers of other pools whose thread-locals are cleared
 * (a custom worker factory) remake theirs as with a {@code ThreadLocal}.
 */
final class PerThread<T> {

    private final Supplier<? extends T> initial;
    private final ThreadLocal<T> local;
    /** The common pool's workers' values by pool index; replaced, never written in place by two threads. */
    private volatile Object[] commonPoolValues = new Object[0];

    PerThread(Supplier<? extends T> initial) {
        this.initial = initial;
        this.local = ThreadLocal.withInitial(initial);
    }

    /** {@return this thread's value} */
    @SuppressWarnings("unchecked")
    T get() {
        if (Thread.currentThread() instanceof ForkJoinWorkerThread worker
                && worker.getPool() == ForkJoinPool.commonPool()) {
            int index = worker.getPoolIndex();
            Object[] values = commonPoolValues;
            if (index >= values.length) {
                values = grow(index);
            }
            Object value = values[index];
            if (value == null) {
                value = initial.get();
                values[index] = value; // only this worker uses its index (a grow may copy it, or miss it)
            }
            return (T) value;
        }
        return local.get();
    }

    private synchronized Object[] grow(int index) {
        Object[] values = commonPoolValues;
        if (index >= values.length) {
            values = Arrays.copyOf(values, Math.max(16, Integer.highestOneBit(index) << 1));
            commonPoolValues = values;
        }
        return values;
    }
}
