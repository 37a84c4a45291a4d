package dev.vecdrop;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An executor that counts the tasks handed to it and passes each on, to the caller's thread or a pool: the parallel
 * tests read from the count whether a call split, stayed inline, or started a task before its checks failed.
 * Thread-safe.
 */
final class CountingExecutor implements Executor {

    private final Executor delegate;
    private final AtomicInteger submitted = new AtomicInteger();

    /** Runs every task on {@code delegate}. */
    CountingExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    /** {@return one that runs every task on the thread that hands it over} */
    static CountingExecutor onCallersThread() {
        return new CountingExecutor(Runnable::run);
    }

    @Override
    public void execute(Runnable task) {
        submitted.incrementAndGet();
        delegate.execute(task);
    }

    /** {@return the tasks handed over so far} */
    int submitted() {
        return submitted.get();
    }
}
