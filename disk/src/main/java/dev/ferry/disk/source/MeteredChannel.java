package dev.ferry.disk.source;

import dev.ferry.disk.progress.TransferProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;

/** The raw source channel, counting bytes for progress and hashing them when a checksum is expected. */
public final class MeteredChannel implements ReadableByteChannel {
    private final ReadableByteChannel delegate;
    private final TransferProgress progress;
    private final MessageDigest digest;

    public MeteredChannel(ReadableByteChannel delegate, TransferProgress progress, MessageDigest digest) {
        this.delegate = delegate;
        this.progress = progress;
        this.digest = digest;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        int n = delegate.read(dst);
        if (n > 0) {
            progress.read(n);
            if (digest != null) {
                digest.update(dst.duplicate().position(start).limit(start + n));
            }
        }
        return n;
    }

    /** Reads and hashes what is left, for a checksum over the whole source. */
    public void drain() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        while (read(buffer.clear()) >= 0) {
            // counted and hashed by read
        }
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
