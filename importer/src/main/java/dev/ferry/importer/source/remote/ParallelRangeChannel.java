package dev.ferry.importer.source.remote;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The object as one sequential channel, fetched as fixed-size ranges with several in flight
 * to fill the pipe, delivered strictly in order. Range buffers are recycled: memory is
 * {@code (parallel + 1) × chunk}, allocated once.
 */
final class ParallelRangeChannel implements ReadableByteChannel {
    /** Fetches {@code [from, to)} completely into the start of {@code buffer} (retrying as it must). */
    @FunctionalInterface
    interface Fetcher {
        void fetch(long from, long to, byte[] buffer) throws IOException;
    }

    private final Fetcher fetcher;
    private final long size;
    private final int chunk;
    private final int parallel;
    private final ExecutorService pool;
    private final Deque<Future<ByteBuffer>> pending = new ArrayDeque<>();
    private final Deque<byte[]> spare = new ArrayDeque<>();
    private long nextStart;
    private ByteBuffer current = ByteBuffer.allocate(0);
    private boolean open = true;

    ParallelRangeChannel(Fetcher fetcher, long size, int chunk, int parallel) {
        this.fetcher = fetcher;
        this.size = size;
        this.chunk = chunk;
        this.parallel = parallel;
        this.pool = Executors.newFixedThreadPool(parallel, r -> Thread.ofPlatform().daemon().name("ferry-range-", 0)
                .unstarted(r));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (!current.hasRemaining()) {
            if (current.capacity() == chunk) {
                spare.push(current.array());
            }
            current = ByteBuffer.allocate(0);
            fill();
            if (pending.isEmpty()) {
                return -1;
            }
            current = take(pending.peekFirst());
            pending.removeFirst();
        }
        int n = Math.min(dst.remaining(), current.remaining());
        dst.put(current.slice(current.position(), n));
        current.position(current.position() + n);
        return n;
    }

    private void fill() {
        while (pending.size() < parallel && nextStart < size) {
            long from = nextStart;
            long to = Math.min(size, from + chunk);
            byte[] buffer = spare.isEmpty() ? new byte[chunk] : spare.pop();
            pending.addLast(pool.submit(() -> {
                fetcher.fetch(from, to, buffer);
                return ByteBuffer.wrap(buffer, 0, (int) (to - from));
            }));
            nextStart = to;
        }
    }

    private static ByteBuffer take(Future<ByteBuffer> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        pool.shutdownNow();
    }
}
