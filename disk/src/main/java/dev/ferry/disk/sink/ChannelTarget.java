package dev.ferry.disk.sink;

import dev.ferry.disk.nativeio.NativeFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** What file and block-device targets share: positional writes on a channel, a lazily opened native handle. */
abstract class ChannelTarget implements DiskTarget {
    protected final Path path;
    protected final FileChannel channel;
    private NativeFile nativeFile;

    ChannelTarget(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    @Override
    public void writeData(long offset, ByteBuffer data) throws IOException {
        long position = offset;
        while (data.hasRemaining()) {
            position += channel.write(data, position);
        }
        written(position - offset);
    }

    /** Called after each data write with its length. */
    void written(long bytes) {
    }

    /** Opened on first need: a fresh sparse file never needs native calls (and jnr's start-up cost). */
    protected synchronized NativeFile nativeFile() throws IOException {
        if (nativeFile == null) {
            nativeFile = NativeFile.open(path, true);
        }
        return nativeFile;
    }

    @Override
    public void close() throws IOException {
        try {
            synchronized (this) {
                if (nativeFile != null) {
                    nativeFile.close();
                }
            }
        } finally {
            channel.close();
        }
    }
}
