package dev.ferry.disk.sink;

import dev.ferry.disk.nativeio.NativeFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/** What file and block-device targets share: positional writes on a channel, a lazily opened native handle. */
abstract class ChannelTarget implements DiskTarget {
    protected final Path path;
    protected final FileChannel channel;
    private NativeFile nativeFile;

    ChannelTarget(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Writers take turns: concurrent pwrite calls on one file serialise on the inode lock in
     * the kernel anyway, and a waiter there spins (burning a core) where a Java lock parks.
     */
    private final ReentrantLock writeLock = new ReentrantLock();

    @Override
    public void writeData(long offset, ByteBuffer data) throws IOException {
        long position = offset;
        writeLock.lock();
        try {
            while (data.hasRemaining()) {
                position += channel.write(data, position);
            }
        } finally {
            writeLock.unlock();
        }
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
