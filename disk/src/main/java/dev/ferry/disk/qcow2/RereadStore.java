package dev.ferry.disk.qcow2;

import static dev.ferry.disk.DiskException.invalid;

import dev.ferry.disk.source.RandomAccessInput;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Orphans of a random-access source need no keeping: they are read again when claimed. */
final class RereadStore implements OrphanStore {
    private static final int CHUNK = 1 << 20;

    private final RandomAccessInput input;

    RereadStore(RandomAccessInput input) {
        this.input = input;
    }

    @Override
    public void keep(long offset, ByteBuffer data) {
        // nothing to do: the bytes can be read again
    }

    @Override
    public boolean wantsOrphans() {
        return false;
    }

    @Override
    public void replay(long from, long to, Sink sink) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, to - from));
        for (long at = from; at < to; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), to - at));
            int n = input.read(at, buffer);
            if (n <= 0) {
                throw invalid("qcow2: bytes at offset 0x%x lie past the end of the image (truncated?)", at);
            }
            buffer.flip();
            sink.accept(at, buffer);
            at += n;
        }
    }

    @Override
    public void release() {
        // nothing kept
    }

    @Override
    public void close() {
        // the input is owned by the caller
    }
}
