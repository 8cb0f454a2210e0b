package dev.ferry.disk.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.progress.TransferProgress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the qcow2 reader through the real pipeline. The harness builds
 * a plausible image (header fields, L1 and L2 entries pointing at clusters of the file,
 * compressed entries, extended L2 bitmaps) from the fuzzer's bytes, then imports it from
 * memory with positional reads or, half the time, gzip-wrapped (the one-pass stream path) into
 * a {@link CheckingTarget} that checks every write lies inside the disk. Every input must either
 * convert or fail with a {@link DiskException}: no other exception, no hang, no OOM. Disks are
 * capped at 16 MiB so hostile sizes fail fast. No file and no fsync per execution.
 */
class Qcow2FuzzTest {
    private static final long CAP = 16L << 20;

    private static Path spillDirectory;

    @BeforeAll
    static void spillDirectory(@TempDir Path dir) {
        spillDirectory = dir;
    }

    @FuzzTest(maxDuration = "${JAZZER_MAX_DURATION}", maxExecutions = Fuzzing.LONG_RUN_EXECUTIONS)
    void anyImageConvertsOrFailsCleanly(FuzzedDataProvider in) throws IOException {
        boolean gzip = in.consumeBoolean();
        byte[] image = image(in);
        CheckingTarget target = new CheckingTarget(spillDirectory);
        try (MemorySource source = new MemorySource(gzip ? gzip(image) : image)) {
            new DiskImport(source, target, new ImportOptions(false, CAP, null, false), new TransferProgress()).run();
            assertThat(target.size()).isLessThanOrEqualTo(CAP);
        } catch (DiskException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Gzip at the fastest level: the reader sees the same stream format, and deflate was a fifth of the time. */
    private static byte[] gzip(byte[] image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.length / 2 + 64);
        try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            out.write(image);
        }
        return bytes.toByteArray();
    }

    static byte[] image(FuzzedDataProvider in) {
        int clusterBits = in.consumeInt(9, 16);
        int clusterSize = 1 << clusterBits;
        int clusters = in.consumeInt(2, Math.max(2, (256 << 10) >> clusterBits));
        boolean extendedL2 = clusterBits >= 14 && in.consumeBoolean();
        ByteBuffer file = ByteBuffer.allocate(clusters * clusterSize - in.consumeInt(0, Math.min(600, clusterSize / 2)));
        long virtualSize = in.consumeLong(0, 1L << 26);
        long l1Offset = (long) in.consumeInt(1, clusters - 1) * clusterSize;
        int version = in.consumeBoolean() ? 3 : 2;
        file.putInt(0, 0x514649fb).putInt(4, version).putInt(20, clusterBits).putLong(24, virtualSize)
                .putInt(36, in.consumeInt(0, 64)).putLong(40, in.consumeBoolean() ? l1Offset : in.consumeLong())
                .putLong(48, (long) in.consumeInt(1, clusters - 1) * clusterSize).putInt(56, 1);
        if (version == 3) {
            long features = (extendedL2 ? 1L << 4 : 0) | (in.consumeBoolean() ? 1L << 3 : 0) | (in.consumeBoolean() ? 1 : 0);
            file.putLong(72, in.consumeBoolean() ? features : in.consumeLong()).putInt(96, 4)
                    .putInt(100, 112);
            file.put(104, (byte) (in.consumeBoolean() ? 0 : in.consumeInt(0, 2)));
        }
        int entries = in.consumeInt(0, 64);
        for (int i = 0; i < entries && in.remainingBytes() > 8; i++) {
            int at = in.consumeInt(clusterSize / 8, file.capacity() / 8 - 1) * 8;
            file.putLong(at, entry(in, clusterBits, clusters));
        }
        byte[] rest = in.consumeRemainingAsBytes();
        int start = Math.min(clusterSize, file.capacity());
        file.position(start).put(rest, 0, Math.min(rest.length, file.capacity() - start));
        return file.array();
    }

    /** An L1/L2 entry that points somewhere plausible: a cluster, a compressed run, or a zero cluster. */
    private static long entry(FuzzedDataProvider in, int clusterBits, int clusters) {
        long cluster = (long) in.consumeInt(0, clusters) << clusterBits;
        return switch (in.consumeInt(0, 3)) {
            case 0 -> (1L << 63) | cluster;
            case 1 -> (1L << 62) | ((long) in.consumeInt(0, 3) << (62 - (clusterBits - 8))) | (cluster + in.consumeInt(0, 511));
            case 2 -> cluster | 1;
            default -> in.consumeLong();
        };
    }
}
