package dev.ferry.disk.fuzz;

import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.source.RandomAccessInput;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * An image held in a byte array: sequential reads, and positional ones unless {@code seekable}
 * is false (a compressed or HTTP-without-Range source). One fuzz execution costs no file.
 */
record MemorySource(byte[] bytes, boolean seekable) implements ImageSource {
    @Override
    public ReadableByteChannel open() {
        return Channels.newChannel(new ByteArrayInputStream(bytes));
    }

    @Override
    public Optional<RandomAccessInput> randomAccess() {
        if (!seekable) {
            return Optional.empty();
        }
        return Optional.of(new RandomAccessInput() {
            @Override
            public int read(long position, ByteBuffer dst) {
                if (position >= bytes.length) {
                    return -1;
                }
                int length = (int) Math.min(dst.remaining(), bytes.length - position);
                dst.put(bytes, (int) position, length);
                return length;
            }

            @Override
            public long size() {
                return bytes.length;
            }
        });
    }

    @Override
    public long size() {
        return seekable ? bytes.length : -1;
    }

    @Override
    public String describe() {
        return "memory (" + bytes.length + " bytes)";
    }

    @Override
    public void close() {
        // nothing held
    }
}
