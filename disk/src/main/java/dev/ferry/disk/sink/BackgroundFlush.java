package dev.ferry.disk.sink;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts write-back while the conversion is still running: after every {@value #EVERY} bytes
 * written, an {@code fdatasync} runs on a background thread (one at a time), so the final
 * sync finds little left to do and disk writes overlap with reading and converting.
 */
final class BackgroundFlush implements AutoCloseable {
    private static final long EVERY = 128L << 20;

    private final FileChannel channel;
    private final AtomicLong unflushed = new AtomicLong();
    private ExecutorService executor;
    private Future<?> running;

    BackgroundFlush(FileChannel channel) {
        this.channel = channel;
    }

    void written(long bytes) {
        if (unflushed.addAndGet(bytes) >= EVERY) {
            trigger();
        }
    }

    private synchronized void trigger() {
        if (running != null && !running.isDone()) {
            return;
        }
        unflushed.set(0);
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("ferry-flush").unstarted(r));
        }
        running = executor.submit(() -> {
            channel.force(false);
            return null;
        });
    }

    /** Waits for a running flush; its failure surfaces here (the final fsync would report it too). */
    synchronized void await() throws IOException {
        if (running != null) {
            try {
                running.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while syncing");
            }
        }
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
