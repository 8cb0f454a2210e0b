package dev.ferry.disk.fuzz;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.ImportDestination;
import dev.ferry.disk.sink.DiskTarget;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A disk target that keeps no bytes and checks what a file target would have been asked to do:
 * sizes within the capacity (refused as a file target refuses them), every write inside the
 * disk, nothing after {@link #finish}. Fuzz executions convert into it: no file, no fsync.
 */
final class CheckingTarget implements DiskTarget, ImportDestination {
    private final Path spillDirectory;
    private long capacity = Long.MAX_VALUE;
    private long size = -1;
    private long highestWrite;
    private boolean finished;

    CheckingTarget(Path spillDirectory) {
        this.spillDirectory = spillDirectory;
    }

    @Override
    public DiskTarget open(long requestedSize, boolean preallocate) {
        capacity = requestedSize > 0 ? requestedSize : Long.MAX_VALUE;
        return this;
    }

    @Override
    public Path path() {
        throw new AssertionError("the qcow2 harness never extracts an archive");
    }

    @Override
    public Path spillDirectory() {
        return spillDirectory;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public synchronized void writeData(long offset, ByteBuffer data) {
        check(offset, data.remaining());
        highestWrite = Math.max(highestWrite, offset + data.remaining());
        data.position(data.limit());
    }

    @Override
    public synchronized void writeZeros(long offset, long length) {
        check(offset, length);
    }

    private void check(long offset, long length) {
        if (finished || offset < 0 || length < 0 || offset + length > capacity || (size >= 0 && offset + length > size)) {
            throw new AssertionError(String.format("write of %d bytes at %d outside the disk (size %d, capacity %d%s)",
                    length, offset, size, capacity, finished ? ", after finish" : ""));
        }
    }

    @Override
    public synchronized void prepare(long size) throws DiskException {
        resize(size);
    }

    @Override
    public synchronized void finish(long size) throws DiskException {
        resize(size);
        if (highestWrite > size) {
            throw new AssertionError("disk finished at " + size + " bytes after a write up to " + highestWrite);
        }
        finished = true;
    }

    private void resize(long newSize) throws DiskException {
        if (newSize > capacity) {
            throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, "disk of " + newSize
                    + " bytes does not fit the capacity of " + capacity);
        }
        size = newSize;
    }

    synchronized long size() {
        return size;
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {
        // nothing held
    }
}
