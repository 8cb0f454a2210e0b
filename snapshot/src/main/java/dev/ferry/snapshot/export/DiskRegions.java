package dev.ferry.snapshot.export;

import dev.ferry.disk.sparse.DataExtents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * An exported disk read by position: a filesystem volume's {@code disk.img}, whose holes
 * (SEEK_DATA/SEEK_HOLE, asked once at open) are zeros never read from disk, or a block device,
 * read whole. Thread-safe: positional reads only.
 */
final class DiskRegions implements AutoCloseable {
    private static final byte[] ZEROS = new byte[64 << 10];
    private final FileChannel channel;
    private final long size;
    /** Data runs in order; for a block device one run, the whole device. */
    private final List<DataExtents.Extent> extents;

    private DiskRegions(FileChannel channel, long size, List<DataExtents.Extent> extents) {
        this.channel = channel;
        this.size = size;
        this.extents = extents;
    }

    /** The disk of {@code volume}: its {@code disk.img} if it is a directory, else the device itself. */
    static DiskRegions open(Path volume) throws IOException {
        boolean directory = Files.isDirectory(volume);
        Path disk = directory ? volume.resolve("disk.img") : volume;
        if (!Files.exists(disk)) {
            throw new java.nio.file.NoSuchFileException(disk.toString(), null, "the exported volume holds no disk image");
        }
        FileChannel channel = FileChannel.open(disk, StandardOpenOption.READ);
        try {
            if (Files.isRegularFile(disk)) {
                DataExtents.Layout layout = DataExtents.of(disk, 0);
                return new DiskRegions(channel, layout.size(), layout.extents());
            }
            long size;
            try (var device = dev.ferry.disk.nativeio.NativeFile.open(disk, false)) {
                size = device.size();
            }
            return new DiskRegions(channel, size, List.of(new DataExtents.Extent(0, size)));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Any regular file (an archive volume's), read the same way: holes never read. */
    static DiskRegions file(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            DataExtents.Layout layout = DataExtents.of(file, 0);
            return new DiskRegions(channel, layout.size(), layout.extents());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    long size() {
        return size;
    }

    long dataBytes() {
        return extents.stream().mapToLong(DataExtents.Extent::length).sum();
    }

    /**
     * How many bytes from {@code at} (at most {@code max}) are one kind: data (positive) or a
     * hole (negative).
     */
    long run(long at, long max) {
        int low = 0;
        int high = extents.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            DataExtents.Extent e = extents.get(mid);
            if (e.end() <= at) {
                low = mid + 1;
            } else if (e.offset() > at) {
                high = mid - 1;
            } else {
                return Math.min(max, e.end() - at);
            }
        }
        long next = low < extents.size() ? extents.get(low).offset() : size;
        return -Math.min(max, next - at);
    }

    /** Fills {@code target} (its remaining bytes) from {@code at}: data read, holes zeroed. */
    void read(long at, ByteBuffer target) throws IOException {
        while (target.hasRemaining()) {
            long run = run(at, target.remaining());
            if (run == 0) {
                throw new java.io.EOFException("read past the disk's end at " + at);
            }
            if (run < 0) {
                int zeros = (int) -run;
                for (int left = zeros; left > 0; left -= Math.min(left, ZEROS.length)) {
                    target.put(ZEROS, 0, Math.min(left, ZEROS.length));
                }
                at += zeros;
                continue;
            }
            ByteBuffer slice = target.slice(target.position(), (int) run);
            while (slice.hasRemaining()) {
                if (channel.read(slice, at + slice.position()) < 0) {
                    throw new java.io.EOFException("the disk image ended at " + (at + slice.position()) + ", before its size " + size);
                }
            }
            target.position(target.position() + (int) run);
            at += run;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
