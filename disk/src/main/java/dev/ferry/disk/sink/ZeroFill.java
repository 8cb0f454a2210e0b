package dev.ferry.disk.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** The slow path when a target cannot punch or zero ranges natively: write zero blocks. */
final class ZeroFill {
    private static final int BLOCK = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(BLOCK).asReadOnlyBuffer();

    private ZeroFill() {
    }

    static void write(DiskTarget target, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            int chunk = (int) Math.min(BLOCK, length - done);
            target.writeData(offset + done, ZEROS.duplicate().limit(chunk));
            done += chunk;
        }
    }

    /** Full preallocation where fallocate is unsupported: rewrite every hole with zeros. */
    static void allocate(DiskTarget target, FileChannel channel, long size) throws IOException {
        for (long offset = 0; offset < size; offset += BLOCK) {
            int chunk = (int) Math.min(BLOCK, size - offset);
            ByteBuffer block = ByteBuffer.allocate(chunk);
            channel.read(block, offset);
            block.flip();
            if (block.mismatch(ZEROS.duplicate().limit(block.remaining())) == -1) {
                target.writeData(offset, ZEROS.duplicate().limit(chunk));
            }
        }
    }
}
