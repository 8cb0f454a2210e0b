package dev.ferry.snapshot.mover;

import dev.ferry.disk.nativeio.NativeFile;
import dev.ferry.disk.sparse.DataExtents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies a volume — a directory tree (a filesystem claim) or a single file (a block claim's
 * backing) — the fastest way the storage allows: reflink (FICLONE, metadata only) where the
 * filesystem shares blocks, else a sparse copy that reads only the data extents
 * (SEEK_DATA/SEEK_HOLE) and copies them in the kernel (copy_file_range). Holes stay holes.
 */
public final class VolumeMover {
    /** How the bytes moved. */
    public enum Method { REFLINK, SPARSE_COPY }

    /** What a copy did: how, how many data bytes it had to move, how long it took. */
    public record Moved(Method method, long dataBytes, long millis) {
    }

    private static final int STEP = 1 << 20;

    private VolumeMover() {
    }

    /** Copies {@code source} to {@code target} (which must not exist yet, or be an empty directory); synced when it returns. */
    public static Moved copy(Path source, Path target, boolean reflink) throws IOException {
        long started = System.nanoTime();
        long[] data = {0};
        boolean[] allShared = {reflink};
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(target);
            List<Path> entries;
            try (Stream<Path> tree = Files.walk(source)) {
                entries = tree.toList();
            }
            for (Path from : entries) {
                Path to = target.resolve(source.relativize(from).toString());
                if (Files.isSymbolicLink(from)) {
                    Files.createSymbolicLink(to, Files.readSymbolicLink(from));
                } else if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(to);
                } else if (Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
                    copyFile(from, to, reflink, data, allShared);
                }
            }
        } else {
            copyFile(source, target, reflink, data, allShared);
        }
        return new Moved(allShared[0] ? Method.REFLINK : Method.SPARSE_COPY, data[0], (System.nanoTime() - started) / 1_000_000);
    }

    private static void copyFile(Path from, Path to, boolean reflink, long[] data, boolean[] allShared) throws IOException {
        Files.deleteIfExists(to);
        Files.createFile(to);
        try (NativeFile in = NativeFile.open(from, false); NativeFile out = NativeFile.open(to, true)) {
            if (reflink && out.reflinkFrom(in)) {
                return;
            }
            allShared[0] = false;
            DataExtents.Layout layout = DataExtents.of(from, 0);
            try (FileChannel target = FileChannel.open(to, StandardOpenOption.WRITE)) {
                target.truncate(0);
                for (DataExtents.Extent extent : layout.extents()) {
                    if (out.copyRangeFrom(in, extent.offset(), extent.length()) < 0) {
                        copyThroughMemory(from, target, extent);
                    }
                    data[0] += extent.length();
                }
                // the size too: a trailing hole has no extent
                if (target.size() < layout.size()) {
                    try (var raf = new java.io.RandomAccessFile(to.toFile(), "rw")) {
                        raf.setLength(layout.size());
                    }
                }
                target.force(true);
            }
        }
    }

    /** Where the kernel cannot copy between the two files: through a buffer, zero blocks skipped. */
    private static void copyThroughMemory(Path from, FileChannel target, DataExtents.Extent extent) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(STEP);
        try (FileChannel source = FileChannel.open(from, StandardOpenOption.READ)) {
            for (long at = extent.offset(); at < extent.end(); at += STEP) {
                buffer.clear().limit((int) Math.min(STEP, extent.end() - at));
                while (buffer.hasRemaining() && source.read(buffer, at + buffer.position()) > 0) {
                    // fill the step
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    target.write(buffer, at + buffer.position());
                }
            }
        }
    }

    /** Whether files under {@code dir} can share blocks (reflink): tried on a scratch file, which is removed. */
    public static boolean reflinkSupported(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path a = Files.createTempFile(dir, ".reflink-probe", ".a");
        Path b = dir.resolve(a.getFileName() + ".b");
        try {
            Files.write(a, new byte[4096]);
            Files.createFile(b);
            try (NativeFile in = NativeFile.open(a, false); NativeFile out = NativeFile.open(b, true)) {
                return out.reflinkFrom(in);
            }
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
    }
}
