package dev.ferry.snapshot.export;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;

/**
 * {@code disk.img}, or a byte range of it, as the chunks of a response: data read from the disk
 * 1 MiB at a time, holes sent from one shared buffer of zeros (never read).
 */
final class RawBody extends Body {
    static final int CHUNK = 1 << 20;
    private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeZero(CHUNK).asReadOnly());
    private final DiskRegions disk;
    private final long end;
    private final long start;
    private long at;
    private final boolean owned;

    /** Bytes {@code [start, end)} of {@code disk}; {@code sent} hears each chunk's length; an {@code owned} disk is closed at the end. */
    RawBody(DiskRegions disk, long start, long end, java.util.function.LongConsumer sent, boolean owned) {
        super(sent);
        this.owned = owned;
        this.disk = disk;
        this.start = start;
        this.end = end;
        this.at = start;
    }

    @Override
    public boolean isEndOfInput() {
        return at >= end;
    }

    @Override
    public void close() throws IOException {
        if (owned) {
            disk.close();
        }
        // else the disk stays open for the server's other requests
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator alloc) throws IOException {
        if (at >= end) {
            return null;
        }
        long run = disk.run(at, Math.min(CHUNK, end - at));
        ByteBuf chunk;
        if (run < 0) {
            chunk = ZEROS.retainedSlice(0, (int) -run);
        } else {
            chunk = alloc.directBuffer((int) run);
            try {
                java.nio.ByteBuffer target = chunk.nioBuffer(0, (int) run);
                disk.read(at, target);
                chunk.writerIndex((int) run);
            } catch (IOException | RuntimeException e) {
                chunk.release();
                throw e;
            }
        }
        at += chunk.readableBytes();
        return counted(chunk);
    }

    @Override
    public long length() {
        return end - start;
    }

}
