package dev.ferry.disk.convert;

import static dev.ferry.disk.testing.Tools.allocated;
import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.checksum.Checksum;
import dev.ferry.disk.format.ImageFormat;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The import pipeline end to end from local files: wrappers, raw/iso, sizes, checksums, targets. */
class DiskImportTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "gzip -k, .gz, GZIP",
        "xz -k -T1, .xz, XZ",
        "zstd -q -k, .zst, ZSTD",
    })
    void compressedQcow2StreamsInOnePass(String command, String suffix, ImageFormat compression) throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Tools.run((command + " " + image).split(" "));

        ImportResult result = Conversions.importFile(Path.of(image + suffix), dir.resolve("out.img"));

        assertIdentical(dir.resolve("out.img"), image);
        assertThat(result.format()).isEqualTo(ImageFormat.QCOW2);
        assertThat(result.compression()).isEqualTo(compression);
    }

    @Test
    void compressedClustersInsideGzip() throws Exception {
        Path plain = Images.scattered(dir, "plain.qcow2", "");
        Path image = dir.resolve("c.qcow2");
        Tools.run("qemu-img", "convert", "-q", "-c", "-O", "qcow2", plain.toString(), image.toString());
        Tools.run("gzip", "-k", image.toString());

        Conversions.importFile(Path.of(image + ".gz"), dir.resolve("out.img"));

        assertIdentical(dir.resolve("out.img"), image);
    }

    @Test
    void streamedQcow2WhoseTablesFollowTheirDataSpillsAndStillMatches() throws Exception {
        Path image = Images.scattered(dir, "grown.qcow2", "cluster_size=4k");
        Tools.run("qemu-img", "resize", "-q", image.toString(), "2G");
        Tools.qemuIo(image, "qcow2", "write -P 0x99 1G 128k");
        Tools.run("gzip", "-k", image.toString());

        Conversions.importFile(Path.of(image + ".gz"), dir.resolve("out.img"));

        assertIdentical(dir.resolve("out.img"), image);
        try (var files = Files.list(dir)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).noneMatch(n -> n.startsWith(".ferry-spill-"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gzip", "xz", "zstd"})
    void rawImagesStreamSparse(String compressor) throws Exception {
        Path qcow2 = Images.scattered(dir, "in.qcow2", "");
        Path raw = dir.resolve("in.raw");
        Tools.run("qemu-img", "convert", "-q", "-O", "raw", qcow2.toString(), raw.toString());
        Path source = raw;
        if (!compressor.isEmpty()) {
            Tools.run(compressor, "-q", "-k", raw.toString());
            source = Path.of(raw + switch (compressor) {
                case "gzip" -> ".gz";
                case "xz" -> ".xz";
                default -> ".zst";
            });
        }
        Path out = dir.resolve("out.img");

        ImportResult result = Conversions.importFile(source, out);

        assertIdentical(out, qcow2);
        assertThat(result.format()).isEqualTo(ImageFormat.RAW);
        assertThat(allocated(out)).isLessThanOrEqualTo(allocated(raw) + 64 * 1024);
    }

    @Test
    void isoImagesAreCopiedAsIs() throws Exception {
        Path iso = dir.resolve("cd.iso");
        try (RandomAccessFile file = new RandomAccessFile(iso.toFile(), "rw")) {
            file.setLength(2 << 20);
            file.seek(0x8001);
            file.write("CD001".getBytes());
            file.seek(1 << 20);
            file.write(new byte[] {1, 2, 3});
        }
        Path out = dir.resolve("out.img");

        ImportResult result = Conversions.importFile(iso, out);

        assertThat(result.format()).isEqualTo(ImageFormat.ISO);
        assertThat(Files.mismatch(iso, out)).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource({"vmdk, vmdk", "vpc, vhd", "vhdx, vhdx", "vdi, vdi"})
    void otherFormatsAreDetectedAndRefused(String qemuFormat, String label) throws Exception {
        Path image = dir.resolve("img." + label);
        Tools.run("qemu-img", "create", "-q", "-f", qemuFormat, image.toString(), "16M");

        assertThatThrownBy(() -> Conversions.importFile(image, dir.resolve("out.img")))
                .isInstanceOf(DiskException.class)
                .hasMessageStartingWith(label + " images are not supported yet");
    }

    @Test
    void sizeGrowsTheDisk() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Path out = dir.resolve("out.img");

        ImportResult result = Conversions.importFile(image, out, new ImportOptions(false, 1L << 30, null, false));

        assertThat(result.diskSize()).isEqualTo(1L << 30);
        assertThat(Files.size(out)).isEqualTo(1L << 30);
        Tools.run("qemu-img", "resize", "-q", image.toString(), "1G");
        assertIdentical(out, image);
    }

    @Test
    void sizeBelowVirtualSizeFailsBeforeWriting() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Path out = dir.resolve("out.img");

        assertThatThrownBy(() -> Conversions.importFile(image, out, new ImportOptions(false, 32L << 20, null, false)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("requested size 32 MiB is smaller than the image's virtual size 64 MiB")
                .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.TARGET_TOO_SMALL);
        assertThat(out).doesNotExist();
    }

    @Test
    void compressedRawLargerThanRequestedSizeFails() throws Exception {
        Path raw = dir.resolve("in.raw");
        Tools.run("sh", "-c", "head -c 3M /dev/urandom > " + raw + " && gzip -k " + raw);

        assertThatThrownBy(() -> Conversions.importFile(Path.of(raw + ".gz"), dir.resolve("out.img"),
                new ImportOptions(false, 1L << 20, null, false)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("image is larger than the target");
    }

    @Test
    void gzipBombIsStoppedByTheRequestedSize() throws Exception {
        Path bomb = dir.resolve("bomb.raw.gz");
        Tools.run("sh", "-c", "head -c 2G /dev/zero | gzip -1 > " + bomb);
        assertThat(Files.size(bomb)).isLessThan(16L << 20);

        long started = System.nanoTime();
        assertThatThrownBy(() -> Conversions.importFile(bomb, dir.resolve("out.img"),
                new ImportOptions(false, 256L << 20, null, false)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("image is larger than the target");
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
        assertThat(allocated(dir.resolve("out.img"))).isZero();
    }

    @Test
    void gzipBombHiddenInAQcow2StopsAtTheEndOfTheImage() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Path bomb = dir.resolve("bomb.qcow2.gz");
        Tools.run("sh", "-c", "(cat " + image + "; head -c 2G /dev/zero) | gzip -1 > " + bomb);

        long started = System.nanoTime();
        Conversions.importFile(bomb, dir.resolve("out.img"));

        assertIdentical(dir.resolve("out.img"), image);
        assertThat((System.nanoTime() - started) / 1e9).as("trailing bytes are not decompressed").isLessThan(5);
    }

    @Test
    void preallocationAllocatesTheWholeDisk() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Path out = dir.resolve("out.img");

        Conversions.importFile(image, out, new ImportOptions(false, -1, null, true));

        assertIdentical(out, image);
        assertThat(allocated(out)).isGreaterThanOrEqualTo(64L << 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"md5", "sha1", "sha256", "sha512"})
    void checksumOfTheSourceBytesIsVerified(String algorithm) throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Tools.run("gzip", "-k", image.toString());
        Path source = Path.of(image + ".gz");
        String hex = hex(algorithm, source);

        Conversions.importFile(source, dir.resolve("out.img"),
                new ImportOptions(false, -1, Checksum.parse(algorithm + ":" + hex), false));

        assertIdentical(dir.resolve("out.img"), image);
    }

    @Test
    void checksumMismatchFails() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Checksum wrong = Checksum.parse("sha256:" + "0".repeat(64));

        assertThatThrownBy(() -> Conversions.importFile(image, dir.resolve("out.img"),
                new ImportOptions(false, -1, wrong, false)))
                .isInstanceOf(DiskException.class)
                .hasMessageStartingWith("checksum mismatch: expected sha256:000")
                .hasMessageContaining("the source has sha256:" + hex("sha256", image));
    }

    @Test
    void malformedChecksumIsRefused() {
        assertThatThrownBy(() -> Checksum.parse("crc32:1234")).hasMessageContaining("md5, sha1, sha256, sha512");
        assertThatThrownBy(() -> Checksum.parse("sha256:abc")).hasMessageContaining("64 hex digits");
    }

    @Test
    void reusedTargetHasOldDataPunchedOut() throws Exception {
        Path out = dir.resolve("out.img");
        Tools.run("sh", "-c", "head -c 64M /dev/urandom > " + out);
        Path image = Images.scattered(dir, "in.qcow2", "");

        Conversions.importFile(image, out);

        assertIdentical(out, image);
        assertThat(allocated(out)).isLessThan(16L << 20);
    }

    @Test
    void tarGivenAsADiskIsRefusedWithAHint() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        Path tar = dir.resolve("a.tar");
        Tools.run("tar", "-C", dir.toString(), "-cf", tar.toString(), file.getFileName().toString());

        assertThatThrownBy(() -> Conversions.importFile(tar, dir.resolve("out.img")))
                .hasMessageContaining("use contentType archive");
    }

    @Test
    void archiveContentTypeExtractsCompressedTar() throws Exception {
        Path content = Files.createDirectories(dir.resolve("content/sub"));
        Files.writeString(content.resolve("file.txt"), "payload");
        Path tar = dir.resolve("a.tar.xz");
        Tools.run("tar", "-C", dir.resolve("content").toString(), "-cJf", tar.toString(), ".");
        Path target = dir.resolve("volume");

        Conversions.importFile(tar, target, new ImportOptions(true, -1, null, false));

        assertThat(target.resolve("sub/file.txt")).hasContent("payload");
    }

    private static String hex(String algorithm, Path file) throws Exception {
        MessageDigest digest = Checksum.parse(algorithm + ":" + "0".repeat(switch (algorithm) {
            case "md5" -> 32;
            case "sha1" -> 40;
            case "sha256" -> 64;
            default -> 128;
        })).newDigest();
        return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    }
}
