package dev.ferry.disk.sink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a disk is written: a sparse regular file or a block device. Writes are positional
 * and may come from several threads at once.
 */
public interface DiskTarget extends Closeable {
    /** The largest disk this target can hold, in bytes ({@link Long#MAX_VALUE} if only the filesystem limits it). */
    long capacity();

    /** Writes {@code data} (its remaining bytes) at {@code offset}. */
    void writeData(long offset, ByteBuffer data) throws IOException;

    /** Makes {@code [offset, offset + length)} read back as zeroes, as cheaply as the target allows. */
    void writeZeros(long offset, long length) throws IOException;

    /** Sizes the disk up front when its size is known, so an impossible size fails before any data moves. */
    void prepare(long size) throws IOException;

    /** Sets the final disk size (files only; a device keeps its size) and syncs everything to stable storage. */
    void finish(long size) throws IOException;

    /** A short description for messages: path and kind. */
    String describe();
}
