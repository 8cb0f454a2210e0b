package dev.ferry.disk.source;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A source that can be read at any offset (a local file; later HTTP Range and S3 ranged GET). */
public interface RandomAccessInput {
    /** Reads up to {@code dst.remaining()} bytes at {@code position}; returns the count, or -1 past the end. */
    int read(long position, ByteBuffer dst) throws IOException;

    /** Size in bytes, or -1 when unknown. */
    long size();
}
