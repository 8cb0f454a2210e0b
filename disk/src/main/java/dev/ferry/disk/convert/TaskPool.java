package dev.ferry.disk.convert;

import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed set of worker threads with a bounded number of tasks in flight (so memory held by
 * queued work is bounded). The first failure is kept and rethrown to the submitter.
 */
public final class TaskPool implements AutoCloseable {
    /** Work that may fail with an I/O or image error. */
    @FunctionalInterface
    public interface Task {
        void run() throws IOException;
    }

    private final ExecutorService executor;
    private final Semaphore slots;
    private final int maxInFlight;
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    public TaskPool(int threads, int maxInFlight) {
        this.executor = Executors.newFixedThreadPool(threads, runnable -> Thread.ofPlatform().daemon()
                .name("ferry-worker-", 0).unstarted(runnable));
        this.slots = new Semaphore(maxInFlight);
        this.maxInFlight = maxInFlight;
    }

    public void submit(Task task) throws IOException {
        rethrow();
        acquire(1);
        executor.execute(() -> {
            try {
                if (failure.get() == null) {
                    task.run();
                }
            } catch (IOException e) {
                failure.compareAndSet(null, e);
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, new DiskException(DiskException.Reason.INVALID_IMAGE,
                        "conversion failed: " + e, e));
            } finally {
                slots.release();
            }
        });
    }

    /** Waits for every submitted task and rethrows the first failure. */
    public void await() throws IOException {
        acquire(maxInFlight);
        slots.release(maxInFlight);
        rethrow();
    }

    private void acquire(int permits) throws InterruptedIOException {
        try {
            slots.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for workers");
        }
    }

    public void rethrow() throws IOException {
        IOException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
