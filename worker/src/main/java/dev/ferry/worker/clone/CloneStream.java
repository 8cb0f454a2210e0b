package dev.ferry.worker.clone;

import java.nio.ByteBuffer;

/**
 * The host-assisted clone's wire format, between the clone source (which writes it) and the upload
 * server in clone mode (which reads it): a 32-byte header — magic {@code FERRYCLN}, version, flags
 * (bit 0: the source is a block device), the volume's size, the number of extents — then each data
 * extent as its offset and length (16 bytes) followed by its bytes. Holes are not sent; extents
 * come in increasing order and never overlap. The stream is the same every time it is made from
 * the same source, so a dropped transfer resumes at a byte offset, as uploads do.
 */
public final class CloneStream {
    public static final long MAGIC = 0x4645525259434C4EL;
    public static final int VERSION = 1;
    public static final int HEADER = 32;
    public static final int FRAME = 16;
    public static final int FLAG_BLOCK = 1;
    /** The media type a clone stream is sent with. */
    public static final String MEDIA_TYPE = "application/x-ferry-clone";

    private CloneStream() {
    }

    /** What the header says. */
    public record Header(long size, long extents, boolean block) {
        public ByteBuffer encode() {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            header.putLong(MAGIC).putInt(VERSION).putInt(block ? FLAG_BLOCK : 0).putLong(size).putLong(extents).flip();
            return header;
        }

        /** Reads and checks a header; the message says what is wrong. */
        public static Header decode(ByteBuffer buffer) {
            if (buffer.remaining() < HEADER || buffer.getLong() != MAGIC) {
                throw new IllegalArgumentException("not a clone stream (no FERRYCLN header)");
            }
            int version = buffer.getInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("clone stream version " + version + "; this server reads version " + VERSION);
            }
            int flags = buffer.getInt();
            long size = buffer.getLong();
            long extents = buffer.getLong();
            if (size < 0 || extents < 0 || extents > size) {
                throw new IllegalArgumentException("clone stream header says " + extents + " extents in " + size + " bytes");
            }
            return new Header(size, extents, (flags & FLAG_BLOCK) != 0);
        }
    }

    /** One extent's frame: its bytes follow. */
    public record Frame(long offset, long length) {
        public void encode(ByteBuffer into) {
            into.putLong(offset).putLong(length);
        }

        /** Reads a frame and checks it lies after {@code previousEnd} and inside a volume of {@code size}. */
        public static Frame decode(ByteBuffer buffer, long previousEnd, long size) {
            long offset = buffer.getLong();
            long length = buffer.getLong();
            if (offset < previousEnd || length <= 0 || length > size - offset) {
                throw new IllegalArgumentException("clone stream extent " + offset + "+" + length + " is out of order or outside the "
                        + size + "-byte volume");
            }
            return new Frame(offset, length);
        }
    }

    /** The stream's length for {@code extents} extents holding {@code dataBytes} bytes. */
    public static long length(long extents, long dataBytes) {
        return HEADER + extents * FRAME + dataBytes;
    }
}
