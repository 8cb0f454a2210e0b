package dev.ferry.disk.sparse;

import dev.ferry.disk.nativeio.NativeFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a volume holds data: for a regular file the extents SEEK_DATA/SEEK_HOLE report (holes are
 * never read); for a block device, which has no holes to ask about, the ranges whose blocks are
 * not all zero (read once, in 1 MiB steps).
 */
public final class DataExtents {
    /** A run of data: {@code length} bytes at {@code offset}. */
    public record Extent(long offset, long length) {
        public long end() {
            return offset + length;
        }
    }

    static final int SCAN = 1 << 20;

    private DataExtents() {
    }

    /** The data extents of {@code path} from {@code from} on, in order, and its size. */
    public static Layout of(Path path, long from) throws IOException {
        if (Files.isRegularFile(path)) {
            try (NativeFile file = NativeFile.open(path, false)) {
                long size = file.size();
                List<Extent> extents = new ArrayList<>();
                long at = from;
                while (at < size) {
                    long data = file.nextData(at);
                    if (data < 0 || data >= size) {
                        break;
                    }
                    long hole = Math.min(file.nextHole(data), size);
                    extents.add(new Extent(data, hole - data));
                    at = hole;
                }
                return new Layout(size, extents);
            }
        }
        return scanned(path, from);
    }

    /** A device: whatever is not zero, in runs of whole 1 MiB steps (merged when adjacent). */
    private static Layout scanned(Path path, long from) throws IOException {
        long size;
        try (NativeFile device = NativeFile.open(path, false)) {
            size = device.size();
        }
        List<Extent> extents = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(SCAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            for (long at = from; at < size; at += SCAN) {
                buffer.clear().limit((int) Math.min(SCAN, size - at));
                while (buffer.hasRemaining() && channel.read(buffer, at + buffer.position()) > 0) {
                    // fill the step
                }
                buffer.flip();
                if (!allZero(buffer)) {
                    Extent last = extents.isEmpty() ? null : extents.get(extents.size() - 1);
                    if (last != null && last.end() == at) {
                        extents.set(extents.size() - 1, new Extent(last.offset(), last.length() + buffer.limit()));
                    } else {
                        extents.add(new Extent(at, buffer.limit()));
                    }
                }
            }
        }
        return new Layout(size, extents);
    }

    static boolean allZero(ByteBuffer buffer) {
        int i = buffer.position();
        int end = buffer.limit();
        for (; i + 8 <= end; i += 8) {
            if (buffer.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (buffer.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A volume's size and its data extents. */
    public record Layout(long size, List<Extent> extents) {
        public long dataBytes() {
            return extents.stream().mapToLong(Extent::length).sum();
        }
    }
}
