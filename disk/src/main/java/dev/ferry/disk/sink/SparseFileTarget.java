package dev.ferry.disk.sink;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk in a regular file, written sparse: zero runs are never written. Where the file
 * already held data (a retried or reused target), zero runs are punched out with
 * {@code fallocate(PUNCH_HOLE)}, or zeroed in place when the disk is preallocated.
 */
public final class SparseFileTarget extends ChannelTarget {
    private final long priorSize;
    private final long capacity;
    private final boolean preallocate;

    private SparseFileTarget(Path path, FileChannel channel, long capacity, boolean preallocate) throws IOException {
        super(path, channel);
        this.priorSize = channel.size();
        this.capacity = capacity;
        this.preallocate = preallocate;
    }

    /**
     * Opens (creating if needed) a disk file.
     *
     * @param capacity the most bytes the disk may hold, {@link Long#MAX_VALUE} for no limit
     */
    public static SparseFileTarget open(Path path, long capacity, boolean preallocate) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            return new SparseFileTarget(path, channel, capacity, preallocate);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void writeZeros(long offset, long length) throws IOException {
        long end = Math.min(offset + length, priorSize);
        if (offset >= end) {
            return;
        }
        long dataAt = nativeFile().nextData(offset);
        if (dataAt < 0 || dataAt >= end) {
            return;
        }
        boolean done = preallocate ? nativeFile().zeroRange(dataAt, end - dataAt)
                : nativeFile().punchHole(dataAt, end - dataAt);
        if (!done) {
            ZeroFill.write(this, dataAt, end - dataAt);
        }
    }

    @Override
    public void prepare(long size) throws IOException {
        finishSize(size);
    }

    @Override
    public void finish(long size) throws IOException {
        finishSize(size);
        if (preallocate && !nativeFile().allocate(0, size)) {
            ZeroFill.allocate(this, channel, size);
        }
        channel.force(true);
    }

    private void finishSize(long size) throws IOException {
        if (size > capacity) {
            throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, String.format(
                    "disk of %s does not fit the %s target %s", Sizes.human(size), Sizes.human(capacity), path));
        }
        if (channel.size() > size) {
            channel.truncate(size);
        } else if (channel.size() < size) {
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(size);
            } catch (IOException e) {
                throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, String.format(
                        "cannot size %s to %s: %s", path, Sizes.human(size), e.getMessage()), e);
            }
        }
    }

    @Override
    public String describe() {
        return "file " + path;
    }

}
