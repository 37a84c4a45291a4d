package dev.vecdrop;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;

/**
 * A scratch value per thread, lent by {@link #borrow} and handed back by {@link #giveBack}, made on a thread's first
 * call, like a {@link ThreadLocal}, that also lasts on the workers of {@link ForkJoinPool#commonPool()} and does not
 * die with each virtual thread:
 * <ul>
 *   <li>JDK 25's common pool clears its workers' thread-locals whenever they go idle, so a scratch block held in a
 *       {@code ThreadLocal} was made again on nearly every split call there (2.7-4.4 KB per {@link ParallelGaussian}
 *       call of 1M floats on 2 threads, against 195 bytes on a {@code new ForkJoinPool(2)}; stop 30). A common-pool
 *       worker's value is kept by its pool index instead, which {@link ForkJoinWorkerThread#getPoolIndex()} keeps
 *       unique among the pool's live workers: a worker that ends leaves its value to the next one given its index,
 *       never to two threads at once.</li>
 *   <li>A virtual thread per task would make a value per task, and a value holding native memory (the keep bits'
 *       scratch for segments) is freed only after a GC: 100,000 virtual threads held 72 MB of it, and under
 *       {@code -XX:MaxDirectMemorySize=64m -XX:+DisableExplicitGC} a call ended in {@code OutOfMemoryError} (stop
 *       32). Virtual threads borrow from a small shared stack instead, which holds about as many values as calls run
 *       at once (a call never blocks, so at most one per carrier thread).</li>
 * </ul>
 *
 * <p>A value borrowed and never given back (a call that threw) is only lost to the stack, and made again later.
 *
 * <p>Thread-safety: safe; each value is only ever handed to one thread at a time. Allocation: the value, once per
 * platform thread (per common-pool index), once per value the virtual threads' stack lacks, and the common pool's
 * slot array on its first use and when a worker's index passes its length (then copied; a value another worker
 * stored meanwhile may be dropped, and made again). A common-pool worker's value outlives the worker (it waits for
 * the next worker given that index): over time about one per index the pool has used, a few times its parallelism.
 * Workers of other pools whose thread-locals are cleared (a custom worker factory) remake theirs as with a
 * {@code ThreadLocal}.
 */
final class PerThread<T> {

    private final Supplier<? extends T> initial;
    private final ThreadLocal<T> local;
    /** The common pool's workers' values by pool index; replaced, never written in place by two threads. */
    private volatile Object[] commonPoolValues = new Object[0];
    /**
     * The virtual threads' free values, a stack of {@link #free} from slot 0. Room for twice the virtual-thread
     * scheduler's default parallelism (the processors): a value given back to a full stack is dropped.
     */
    private final Object[] virtualThreadValues =
            new Object[2 * Math.max(1, Runtime.getRuntime().availableProcessors())];
    /** How many values {@link #virtualThreadValues} holds; guarded by that array. */
    private int free;

    PerThread(Supplier<? extends T> initial) {
        this.initial = initial;
        this.local = ThreadLocal.withInitial(initial);
    }

    /** {@return this thread's value, or on a virtual thread one from the shared stack; {@link #giveBack} it after} */
    T borrow() {
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            synchronized (virtualThreadValues) { // a monitor does not pin a virtual thread since JDK 24 (JEP 491)
                if (free > 0) {
                    Object value = virtualThreadValues[--free];
                    virtualThreadValues[free] = null;
                    return cast(value);
                }
            }
            return initial.get();
        }
        if (thread instanceof ForkJoinWorkerThread worker && worker.getPool() == ForkJoinPool.commonPool()) {
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
            return cast(value);
        }
        return local.get();
    }

    /** Ends a {@link #borrow} on this thread: on a virtual thread the value goes back on the stack, if it has room. */
    void giveBack(T value) {
        if (Thread.currentThread().isVirtual()) {
            synchronized (virtualThreadValues) {
                if (free < virtualThreadValues.length) {
                    virtualThreadValues[free++] = value;
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
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
