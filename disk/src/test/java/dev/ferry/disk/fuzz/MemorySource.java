package dev.ferry.disk.fuzz;

import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.source.RandomAccessInput;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * An image held in a byte array, read sequentially or by position, as a local file is (a
 * compressed image still takes the one-pass stream path). One fuzz execution costs no file.
 */
record MemorySource(byte[] bytes) implements ImageSource {
    @Override
    public ReadableByteChannel open() {
        return Channels.newChannel(new ByteArrayInputStream(bytes));
    }

    @Override
    public Optional<RandomAccessInput> randomAccess() {
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
        return bytes.length;
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
