package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the parallel layers ({@link ParallelDropout}, {@link ParallelGaussian}) spread one call over threads: the
 * executor, the threads per call and the two thresholds, fixed at construction, and the one loop that cuts a
 * region into chunks for the caller and up to {@code parallelism - 1} tasks to claim. One class, so that both
 * layers cut, hand out, wait and report failures alike.
 *
 * <p>How a split call runs: {@code parallelism - 1} tasks are handed to the executor and the caller works too.
 * Every participant claims the next unclaimed chunk until none is left, then the caller waits for the chunks still
 * running. A task that starts late finds nothing to do, so an executor that is busy, serial, runs tasks in any
 * order or rejects them (then the caller does the work) cannot deadlock a call, as long as its {@code execute}
 * returns (one that blocks for room holds the caller, and deadlocks a call from its own task). The call returns when
 * every chunk is written; an error thrown inside a chunk is rethrown to the caller (later ones suppressed into it),
 * and so is an executor's failure other than {@link RejectedExecutionException}: at once, before anything is
 * written, when its first {@code execute} fails before a task has claimed a chunk; else once the caller has
 * finished every chunk itself.
 *
 * <p>Thread-safety: immutable. Allocation: none to decide ({@link #chunkLength}); a split call allocates its job,
 * counter and latch, and what the executor allocates per submission.
 */
final class ChunkedCalls {

    /**
     * Chunk boundaries are multiples of this, so no 64-bit mask word is written by two threads (and an element-wise
     * gaussian chunk starts on a Box-Muller pair when its region does).
     */
    static final int ALIGNMENT = 64;

    /** A chunk's work: the single call over elements {@code [from, from + length)} of the region. */
    @FunctionalInterface
    interface Chunk {
        void run(long from, long length);
    }

    /**
     * A thread that owns no segment (never started, inheriting nothing): a segment it cannot access is confined to
     * its owner, the caller, and a call on it runs on the caller's thread alone rather than fail in other threads'
     * chunks.
     */
    private static final Thread NOT_AN_OWNER = Thread.ofPlatform().inheritInheritableThreadLocals(false)
            .unstarted(() -> { });

    /** {@return whether the segment may be touched by other threads: it is not confined to the caller} */
    static boolean shareable(MemorySegment a) {
        return a.isAccessibleBy(NOT_AN_OWNER);
    }

    /** {@return whether both segments may be touched by other threads} */
    static boolean shareable(MemorySegment a, MemorySegment b) {
        return shareable(a) && shareable(b);
    }

    /** {@return whether all three segments may be touched by other threads} */
    static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c) {
        return shareable(a, b) && shareable(c);
    }

    private final Executor executor;
    private final int parallelism;
    private final int minParallelLength;
    private final int minChunkLength;

    ChunkedCalls(Executor executor, int parallelism, int minParallelLength, int minChunkLength) {
        this.executor = Objects.requireNonNull(executor, "executor");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        if (minParallelLength < 0) {
            throw new IllegalArgumentException("minParallelLength must be >= 0, got " + minParallelLength);
        }
        if (minChunkLength < ALIGNMENT || minChunkLength % ALIGNMENT != 0) {
            throw new IllegalArgumentException("minChunkLength must be a positive multiple of " + ALIGNMENT + ", got "
                    + minChunkLength);
        }
        this.parallelism = parallelism;
        this.minParallelLength = minParallelLength;
        this.minChunkLength = minChunkLength;
    }

    ChunkedCalls withMinParallelLength(int length) {
        return new ChunkedCalls(executor, parallelism, length, minChunkLength);
    }

    ChunkedCalls withMinChunkLength(int length) {
        return new ChunkedCalls(executor, parallelism, minParallelLength, length);
    }

    int parallelism() {
        return parallelism;
    }

    int minParallelLength() {
        return minParallelLength;
    }

    int minChunkLength() {
        return minChunkLength;
    }

    /** {@return the chunk length for a region of {@code length}: {@code length} itself when it runs inline} */
    long chunkLength(long length) {
        return chunkLength(length, ALIGNMENT);
    }

    /** {@return the chunk length for a region of {@code length} cut at multiples of {@code granule}} */
    long chunkLength(long length, long granule) {
        return chunkLength(length, parallelism, minParallelLength, minChunkLength, granule);
    }

    /**
     * The chunk length for a region: the whole region (run inline) below {@code minParallelLength}, with one
     * thread, or when it is no longer than {@code minChunk}; else {@code length / parallelism}, at least
     * {@code minChunk}, rounded up to a multiple of {@code granule} (a multiple of {@value #ALIGNMENT}: per-channel
     * dropout cuts at whole runs or samples whose decisions fill whole mask words).
     */
    static long chunkLength(long length, int parallelism, int minParallelLength, int minChunk, long granule) {
        if (length < minParallelLength || parallelism == 1 || length <= minChunk || length <= granule) {
            return length;
        }
        long perThread = Math.max((length + parallelism - 1) / parallelism, minChunk); // under length: no overflow
        return Math.min(length, (perThread + granule - 1) / granule * granule);
    }

    /**
     * Runs {@code chunk} over {@code [0, length)} in chunks of {@code chunkLength} (from {@link #chunkLength},
     * shorter than {@code length}) on the executor and the caller's thread; returns when every chunk is done.
     */
    void run(Chunk chunk, long length, long chunkLength) {
        Job job = new Job(chunk, length, chunkLength);
        int helpers = Math.min(parallelism, job.chunks) - 1;
        Throwable submission = null;
        int handedOut = 0;
        try {
            for (; handedOut < helpers; handedOut++) {
                executor.execute(job);
            }
        } catch (RejectedExecutionException e) {
            // Nothing is lost: the chunks no task claims are claimed by the caller below.
        } catch (Throwable e) {
            // The first execute failed, but the task may be queued all the same (a ForkJoinPool queues it, then
            // rethrows its thread factory's failure) or may have run: claim every chunk first, so that a task that
            // runs later finds none (a review helper saw one write the whole output a second after the throw).
            if (handedOut == 0 && job.claimAll()) {
                throw e; // no task has run a chunk, and none will: nothing is written
            }
            submission = e; // tasks handed out before it may be running: finish and wait first, then report it
        }
        job.run();
        job.awaitAll(submission);
    }

    @Override
    public String toString() {
        return "parallelism=" + parallelism + ", minParallelLength=" + minParallelLength + ", minChunkLength="
                + minChunkLength;
    }

    /**
     * One split call: its work, the next chunk to claim, and a latch counting the chunks done. Handed to the
     * executor several times; each run claims chunks until none is left.
     */
    private static final class Job implements Runnable {
        private final Chunk chunk;
        private final long length;
        private final long chunkLength;
        final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private volatile Throwable failure;

        Job(Chunk chunk, long length, long chunkLength) {
            this.chunk = chunk;
            this.length = length;
            this.chunkLength = chunkLength;
            // chunkLength >= length / parallelism, rounded up: at most parallelism chunks
            this.chunks = (int) ((length + chunkLength - 1) / chunkLength);
            this.done = new CountDownLatch(chunks);
        }

        /** {@return whether this took every chunk before any participant claimed one: then no chunk will run} */
        boolean claimAll() {
            return next.compareAndSet(0, chunks);
        }

        /** Keeps the first error, suppressing the later ones into it. */
        private synchronized void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            } else if (failure != t) {
                failure.addSuppressed(t);
            }
        }

        @Override
        public void run() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    long from = c * chunkLength; // a multiple of the granule
                    chunk.run(from, Math.min(chunkLength, length - from));
                } catch (Throwable t) {
                    fail(t);
                } finally {
                    done.countDown();
                }
            }
        }

        /**
         * Waits, uninterruptibly, for every chunk (returning earlier would let tasks write after the call), then
         * rethrows {@code submission} (the executor failed, every chunk is done) or the first chunk's error,
         * with any later ones suppressed.
         */
        void awaitAll(Throwable submission) {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = submission != null ? submission : failure;
            if (submission != null && failure != null) {
                submission.addSuppressed(failure); // the executor's failure leads; a chunk's is not lost
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
