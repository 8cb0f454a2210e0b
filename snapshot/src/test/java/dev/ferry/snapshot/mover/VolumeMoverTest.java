package dev.ferry.snapshot.mover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.testing.Tools;
import dev.ferry.snapshot.testing.XfsLoop;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparse copies on ext4 and reflinks on XFS: bit-identical, holes kept, blocks shared where the filesystem can. */
class VolumeMoverTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void aSparseCopyMovesOnlyTheDataAndKeepsTheHoles() throws Exception {
        Path source = volume(dir.resolve("a"), 4 * GIB, 64);
        VolumeMover.Moved moved = VolumeMover.copy(source, dir.resolve("b"), true);
        Path copy = dir.resolve("b/disk.img");
        assertThat(moved.method()).as("ext4 has no reflink").isEqualTo(VolumeMover.Method.SPARSE_COPY);
        assertThat(moved.dataBytes()).as("the data extents and a 4-byte file").isEqualTo((64L << 20) + 4);
        assertThat(Tools.exec("cmp", source.resolve("disk.img").toString(), copy.toString()).exitCode()).isZero();
        assertThat(Files.size(copy)).isEqualTo(4 * GIB);
        assertThat(Tools.allocated(copy)).as("a 4 GiB disk holding 64 MiB allocates ~64 MiB").isLessThan(70L << 20);
        assertThat(Files.readString(dir.resolve("b/meta/notes.txt"))).isEqualTo("kept");
        assertThat(Files.readSymbolicLink(dir.resolve("b/latest"))).isEqualTo(Path.of("disk.img"));
        assertThat(VolumeMover.reflinkSupported(dir)).isFalse();
    }

    @Test
    void aReflinkSharesEveryBlockOnXfs() throws Exception {
        try (XfsLoop xfs = XfsLoop.create(dir, 4 * GIB)) {
            assertThat(VolumeMover.reflinkSupported(xfs.root())).isTrue();
            Path source = volume(xfs.root().resolve("a"), GIB / 4, 16);
            VolumeMover.Moved moved = VolumeMover.copy(source, xfs.root().resolve("b"), true);
            assertThat(moved.method()).isEqualTo(VolumeMover.Method.REFLINK);
            assertThat(moved.dataBytes()).as("metadata only").isZero();
            Path copy = xfs.root().resolve("b/disk.img");
            assertThat(Tools.exec("cmp", source.resolve("disk.img").toString(), copy.toString()).exitCode()).isZero();
            assertThat(XfsLoop.shared(copy)).as("filefrag shows the extents shared").isTrue();

            VolumeMover.Moved sparse = VolumeMover.copy(source, xfs.root().resolve("c"), false);
            assertThat(sparse.method()).isEqualTo(VolumeMover.Method.SPARSE_COPY);
            assertThat(Tools.exec("cmp", source.resolve("disk.img").toString(), xfs.root().resolve("c/disk.img").toString())
                    .exitCode()).isZero();
        }
    }

    @Test
    void aBlockVolumesFileCopiesAsOneFile() throws Exception {
        Path source = volume(dir.resolve("a"), GIB, 8).resolve("disk.img");
        VolumeMover.Moved moved = VolumeMover.copy(source, dir.resolve("block.img"), true);
        assertThat(moved.dataBytes()).isEqualTo(8L << 20);
        assertThat(Tools.exec("cmp", source.toString(), dir.resolve("block.img").toString()).exitCode()).isZero();
    }

    /** A filesystem volume: a sparse disk.img with {@code dataMiB} of random data in 1 MiB pieces, a subdirectory, a symlink. */
    static Path volume(Path root, long size, int dataMiB) throws Exception {
        Files.createDirectories(root.resolve("meta"));
        Files.writeString(root.resolve("meta/notes.txt"), "kept");
        Files.createSymbolicLink(root.resolve("latest"), Path.of("disk.img"));
        Random random = new Random(dataMiB);
        byte[] piece = new byte[1 << 20];
        try (RandomAccessFile file = new RandomAccessFile(root.resolve("disk.img").toFile(), "rw")) {
            file.setLength(size);
            long stride = size / dataMiB;
            for (int i = 0; i < dataMiB; i++) {
                random.nextBytes(piece);
                file.seek(i * stride);
                file.write(piece);
            }
        }
        return root;
    }
}
