package dev.ferry.uploader.server;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;

/**
 * Request bytes handed from Netty's event loop to the converter thread. Bounded: {@link #offer}
 * says when the producer must stop reading, and the pipe calls the producer's resume callback
 * once the converter has drained it below the low mark. The pipe outlives connections, so an
 * interrupted upload resumes into the same conversion.
 */
final class BytePipe implements ReadableByteChannel {
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private final long highWater;
    private final long lowWater;
    private long buffered;
    private boolean finished;
    private boolean closed;
    private IOException failure;
    private Runnable resume;

    BytePipe(long highWater) {
        this.highWater = highWater;
        this.lowWater = highWater / 4;
    }

    /**
     * Takes ownership of {@code data}. Returns false when the producer should pause; the pipe
     * then runs {@code resumeReading} once it has room again.
     */
    boolean offer(ByteBuf data, Runnable resumeReading) {
        synchronized (this) {
            if (!closed && failure == null && !finished) {
                queue.add(data);
                buffered += data.readableBytes();
                notifyAll();
                if (buffered < highWater) {
                    return true;
                }
                resume = resumeReading;
                return false;
            }
        }
        data.release();
        return true;
    }

    synchronized void finish() {
        finished = true;
        notifyAll();
    }

    /** Aborts: the reader fails with {@code cause} at its next read, whatever is still queued. */
    synchronized void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        notifyAll();
    }

    synchronized long buffered() {
        return buffered;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Runnable wake = null;
        int copied = 0;
        synchronized (this) {
            while (queue.isEmpty() && !finished && failure == null && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for upload data");
                }
            }
            if (failure != null) {
                throw failure;
            }
            if (queue.isEmpty()) {
                return -1;
            }
            while (dst.hasRemaining() && !queue.isEmpty()) {
                copied += take(dst);
            }
            buffered -= copied;
            if (resume != null && buffered <= lowWater) {
                wake = resume;
                resume = null;
            }
        }
        if (wake != null) {
            wake.run();
        }
        return copied;
    }

    private int take(ByteBuffer dst) {
        ByteBuf head = queue.peek();
        int n = Math.min(dst.remaining(), head.readableBytes());
        ByteBuffer slice = dst.slice(dst.position(), n);
        head.readBytes(slice);
        dst.position(dst.position() + n);
        if (!head.isReadable()) {
            queue.poll().release();
        }
        return n;
    }

    @Override
    public synchronized boolean isOpen() {
        return !closed;
    }

    /** Releases whatever is still queued; a producer's later offers are released at once. */
    @Override
    public void close() {
        Runnable wake;
        synchronized (this) {
            closed = true;
            queue.forEach(ByteBuf::release);
            queue.clear();
            buffered = 0;
            wake = resume;
            resume = null;
            notifyAll();
        }
        if (wake != null) {
            wake.run();
        }
    }
}
