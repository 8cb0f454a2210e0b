package dev.ferry.disk.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.Conversions;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and damaged images fail fast with a message naming the problem: no hang, no
 * OutOfMemoryError, no success. Each starts from a real qemu-img image and patches it.
 */
class HostileImagesTest {
    private static final int L1_SIZE = 36;
    private static final int L1_OFFSET = 40;
    private static final int REFCOUNT_OFFSET = 48;

    @TempDir
    Path dir;

    @Test
    void truncatedImageIsReportedAsTruncated() throws Exception {
        Path image = Images.scattered(dir, "t.qcow2", "");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        assertFails(image).hasMessageContaining("past the end").hasMessageContaining("truncated?");
    }

    @Test
    void headerOnlyIsTruncated() throws Exception {
        Path image = Images.scattered(dir, "h.qcow2", "");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(80);
        }
        assertFails(image).hasMessageContaining("truncated");
    }

    @Test
    void l1TablePastEndOfFile() throws Exception {
        Path image = patchLong(Images.scattered(dir, "p.qcow2", ""), L1_OFFSET, 1L << 40);
        assertFails(image).hasMessageContaining("L1 table").hasMessageContaining("past the end");
    }

    @Test
    void l1TableOverlappingHeader() throws Exception {
        Path image = patchLong(Images.scattered(dir, "o.qcow2", ""), L1_OFFSET, 0);
        assertFails(image).hasMessageContaining("L1 table offset 0x0 is invalid");
    }

    @Test
    void refcountTableOverlappingHeader() throws Exception {
        Path image = patchLong(Images.scattered(dir, "r.qcow2", ""), REFCOUNT_OFFSET, 512);
        assertFails(image).hasMessageContaining("refcount table offset 0x200 is invalid");
    }

    @Test
    void l2TableInsideHeaderCluster() throws Exception {
        Path image = Images.scattered(dir, "l2.qcow2", "");
        long l1 = readLong(image, L1_OFFSET);
        patchLong(image, l1, 0x8000_0000_0000_0200L);
        assertFails(image).hasMessageContaining("unaligned L2 table offset 0x200");
    }

    @Test
    void l2TablePastEndOfFile() throws Exception {
        Path image = Images.scattered(dir, "l2e.qcow2", "");
        patchLong(image, readLong(image, L1_OFFSET), 0x8000_0000_0000_0000L | (1L << 40));
        assertFails(image).hasMessageContaining("L2 table").hasMessageContaining("past the end");
    }

    @Test
    void dataClusterPastEndOfFile() throws Exception {
        Path image = Images.scattered(dir, "d.qcow2", "");
        long l2 = readLong(image, readLong(image, L1_OFFSET)) & Qcow2Header.OFFSET_MASK;
        patchLong(image, l2, 0x8000_0000_0000_0000L | (1L << 40));
        assertFails(image).hasMessageContaining("data cluster").hasMessageContaining("past the end");
    }

    @Test
    void unalignedDataCluster() throws Exception {
        Path image = Images.scattered(dir, "u.qcow2", "");
        long l2 = readLong(image, readLong(image, L1_OFFSET)) & Qcow2Header.OFFSET_MASK;
        long entry = readLong(image, l2);
        patchLong(image, l2, entry + 512);
        assertFails(image).hasMessageContaining("unaligned host offset");
    }

    @Test
    void hugeL1SizeIsRefusedBeforeAllocating() throws Exception {
        Path image = patchInt(Images.scattered(dir, "l1.qcow2", ""), L1_SIZE, 0xffff_ffff);
        assertFails(image).hasMessageContaining("L1 table of 4294967295 entries exceeds what a 64 MiB virtual disk needs");
    }

    @Test
    void l1TooSmallForVirtualSize() throws Exception {
        Path image = patchLong(Images.scattered(dir, "vs.qcow2", ""), 24, 1L << 50);
        assertFails(image).hasMessageContaining("too small for a 1 PiB virtual disk");
    }

    @Test
    void absurdVirtualSize() throws Exception {
        Path image = patchLong(Images.scattered(dir, "big.qcow2", ""), 24, -1L);
        assertFails(image).hasMessageContaining("virtual size 18446744073709551615 is larger");
    }

    @Test
    void clusterBitsOutOfRange() throws Exception {
        Path image = patchInt(Images.scattered(dir, "cb.qcow2", ""), 20, 31);
        assertFails(image).hasMessageContaining("cluster_bits 31 out of range");
    }

    @Test
    void l2ReusedByTwoL1EntriesIsRefused() throws Exception {
        Path image = Tools.qcow2(dir.resolve("dup.qcow2"), "2G", "cluster_size=4k");
        Tools.qemuIo(image, "qcow2", "write -P 1 0 4k", "write -P 2 1G 4k");
        long l1 = readLong(image, L1_OFFSET);
        long first = readLong(image, l1);
        long entries = (1L << 30) / ((4096 / 8) * 4096L);
        patchLong(image, l1 + entries * 8, first);
        assertFails(image).hasMessageContaining("is used by L1 entries 0 and");
    }

    @Test
    void compressedClusterInflatingBeyondTheClusterIsRefused() throws Exception {
        Path image = compressedImage("bomb.qcow2");
        long l2 = readLong(image, readLong(image, L1_OFFSET)) & Qcow2Header.OFFSET_MASK;
        int shift = 62 - (16 - 8);
        long offset = (Files.size(image) + 511) / 512 * 512;
        byte[] bomb = deflate(new byte[1 << 20]);
        assertThat(bomb.length).isLessThan(2 * 65536);
        writeAt(image, offset, bomb);
        long sectors = (bomb.length + (offset & 511) + 511) / 512 - 1;
        patchLong(image, l2, (1L << 62) | (sectors << shift) | offset);
        assertFails(image).hasMessageContaining("inflates beyond the 65536-byte cluster");
    }

    @Test
    void compressedClusterWithGarbageIsRefused() throws Exception {
        Path image = compressedImage("garbage.qcow2");
        long l2 = readLong(image, readLong(image, L1_OFFSET)) & Qcow2Header.OFFSET_MASK;
        long offset = readLong(image, l2) & ((1L << (62 - 8)) - 1);
        writeAt(image, offset, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertFails(image).hasMessageContaining("compressed cluster at host offset");
    }

    @Test
    void corruptBitIsRefused() throws Exception {
        Path image = Images.scattered(dir, "c.qcow2", "");
        patchLong(image, 72, readLong(image, 72) | 2);
        assertFails(image).hasMessageContaining("marked corrupt");
    }

    @Test
    void unknownIncompatibleFeatureIsRefused() throws Exception {
        Path image = Images.scattered(dir, "f.qcow2", "");
        patchLong(image, 72, readLong(image, 72) | (1L << 40));
        assertFails(image).hasMessageContaining("unknown incompatible feature bits 0x10000000000");
    }

    @Test
    void backingFileIsRefused() throws Exception {
        Path base = Images.scattered(dir, "base.qcow2", "");
        Path overlay = dir.resolve("overlay.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base.toString(), overlay.toString());
        assertFails(overlay).hasMessageContaining("backing file").hasMessageContaining("base.qcow2");
    }

    @Test
    void externalDataFileIsRefused() throws Exception {
        Path image = dir.resolve("ext.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("ext.raw"),
                image.toString(), "16M");
        assertFails(image).hasMessageContaining("external data file");
    }

    @Test
    void encryptedImageIsRefused() throws Exception {
        Path image = dir.resolve("aes.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", "--object", "secret,id=sec0,data=123456",
                "-o", "encrypt.format=aes,encrypt.key-secret=sec0", image.toString(), "16M");
        assertFails(image).hasMessageContaining("encrypted (AES)");
    }

    @Test
    void failedImportLeavesNoSuccessButKeepsTheStateClear() throws Exception {
        Path image = Images.scattered(dir, "t2.qcow2", "");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(file.length() - 70_000);
        }
        Path out = dir.resolve("out.img");
        assertThatThrownBy(() -> Conversions.importFile(image, out)).isInstanceOf(DiskException.class);
    }

    private Path compressedImage(String name) {
        Path plain = Images.scattered(dir, "plain-" + name, "");
        Path image = dir.resolve(name);
        Tools.run("qemu-img", "convert", "-q", "-c", "-O", "qcow2", plain.toString(), image.toString());
        return image;
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path image) {
        Path out = dir.resolve("out.img");
        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try {
                Conversions.importFile(image, out);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertThat(thrown).as("import of hostile image %s", image).isInstanceOf(DiskException.class);
        return assertThat(thrown);
    }

    private static byte[] deflate(byte[] data) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9, true);
        deflater.setInput(data);
        deflater.finish();
        byte[] out = new byte[data.length];
        int n = deflater.deflate(out);
        return java.util.Arrays.copyOf(out, n);
    }

    static long readLong(Path image, long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r")) {
            file.seek(offset);
            return file.readLong();
        }
    }

    static Path patchLong(Path image, long offset, long value) throws IOException {
        return writeAt(image, offset, ByteBuffer.allocate(8).putLong(value).array());
    }

    static Path patchInt(Path image, long offset, int value) throws IOException {
        return writeAt(image, offset, ByteBuffer.allocate(4).putInt(value).array());
    }

    static Path writeAt(Path image, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.seek(offset);
            file.write(bytes);
        }
        assertThat(Files.size(image)).isPositive();
        return image;
    }
}
