package dev.ferry.disk.source;

import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a channel sequentially on its own thread into a fixed pool of buffers, so that reading
 * (and any decompression behind the channel) overlaps with converting and writing. Memory is
 * bounded by {@code depth × blockSize}. Buffers are allocated as the reader gets ahead, and the
 * first is at most 64 KiB (dropped once released, so the rest are full blocks): a small source,
 * or one that fails at its header, costs 64 KiB instead of {@code blockSize}.
 */
public final class ReadAhead implements AutoCloseable {
    private static final Block END = new Block(-1, ByteBuffer.allocate(0));
    private static final int FIRST_BLOCK = 64 << 10;

    private final ReadableByteChannel channel;
    private final BlockingQueue<ByteBuffer> free;
    private final BlockingQueue<Object> filled;
    private final Thread thread;
    private final int blockSize;
    private final int depth;
    private final AtomicInteger allocated = new AtomicInteger();
    private volatile boolean closed;

    public ReadAhead(ReadableByteChannel channel, int blockSize, int depth) {
        this.channel = channel;
        this.free = new ArrayBlockingQueue<>(depth);
        this.filled = new ArrayBlockingQueue<>(depth + 1);
        this.blockSize = blockSize;
        this.depth = depth;
        // a platform thread: on a virtual one (4,700 instead of 3,500 fuzz executions/s, thread starts
        // being a large part of a tiny import) the compressed-qcow2 import took ~25 % more CPU per GiB
        this.thread = Thread.ofPlatform().daemon().name("ferry-read-ahead").start(this::run);
    }

    /** The next block, or {@code null} at the end of the source. Call {@link #release} when done with it. */
    public Block next() throws IOException {
        Object item;
        try {
            item = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the source");
        }
        if (item == END) {
            filled.add(END);
            return null;
        }
        if (item instanceof IOException failure) {
            filled.add(failure);
            throw failure;
        }
        return (Block) item;
    }

    public void release(Block block) {
        if (block.data().capacity() < blockSize) {
            allocated.decrementAndGet();
            return;
        }
        free.offer(block.data().clear());
    }

    private void run() {
        long offset = 0;
        try {
            while (!closed) {
                ByteBuffer buffer = nextFree(offset);
                buffer.clear();
                while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                    // fill the whole block unless the source ends
                }
                buffer.flip();
                if (buffer.limit() == 0) {
                    break;
                }
                filled.put(new Block(offset, buffer));
                offset += buffer.limit();
                if (buffer.limit() < buffer.capacity()) {
                    break;
                }
            }
            filled.put(END);
        } catch (InterruptedException e) {
            filled.offer(new InterruptedIOException("read-ahead interrupted"));
        } catch (IOException e) {
            filled.offer(e);
        } catch (RuntimeException e) {
            filled.offer(new DiskException(DiskException.Reason.INVALID_IMAGE, "reading the source failed: " + e, e));
        }
    }

    /** A released buffer, a new one while fewer than {@code depth} exist, else waits for a release. */
    private ByteBuffer nextFree(long offset) throws InterruptedException {
        ByteBuffer buffer = free.poll();
        if (buffer != null) {
            return buffer;
        }
        if (allocated.get() < depth) {
            allocated.incrementAndGet(); // only this thread adds, so the count stays within depth
            return ByteBuffer.allocateDirect(offset == 0 ? Math.min(blockSize, FIRST_BLOCK) : blockSize);
        }
        return free.take();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
