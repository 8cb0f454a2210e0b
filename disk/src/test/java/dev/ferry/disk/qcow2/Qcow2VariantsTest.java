package dev.ferry.disk.qcow2;

import static dev.ferry.disk.testing.Tools.allocated;
import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.convert.Conversions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.format.ImageFormat;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every qemu-img option that changes the on-disk layout converts bit-identical and sparse. */
class Qcow2VariantsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "compat=0.10",
        "compat=0.10,cluster_size=512",
        "compat=1.1",
        "compat=1.1,cluster_size=512",
        "compat=1.1,cluster_size=4k",
        "compat=1.1,cluster_size=1M",
        "compat=1.1,cluster_size=2M",
        "extended_l2=on",
        "extended_l2=on,cluster_size=16k",
        "extended_l2=on,cluster_size=2M",
        "preallocation=metadata",
        "preallocation=falloc",
        "preallocation=full",
        "lazy_refcounts=on",
        "refcount_bits=1",
        "refcount_bits=64",
    })
    void qemuIoWrittenImagesConvertIdenticalAndSparse(String options) throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", options);
        Path out = dir.resolve("out.img");

        ImportResult result = Conversions.importFile(image, out);

        assertIdentical(out, image);
        assertThat(result.format()).isEqualTo(ImageFormat.QCOW2);
        assertSparse(image, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "cluster_size=512",
        "cluster_size=4k",
        "cluster_size=2M",
        "compat=0.10",
        "compression_type=zstd",
        "compression_type=zstd,cluster_size=512",
        "compression_type=zstd,cluster_size=2M",
        "extended_l2=on",
    })
    void compressedImagesConvertIdentical(String options) throws Exception {
        Path plain = Images.scattered(dir, "plain.qcow2", "");
        Path image = dir.resolve("compressed.qcow2");
        Tools.run(("qemu-img convert -q -c -O qcow2 " + (options.isEmpty() ? "" : "-o " + options + " ")
                + plain + " " + image).split(" "));
        Path out = dir.resolve("out.img");

        Conversions.importFile(image, out);

        assertIdentical(out, image);
        assertSparse(plain, out);
    }

    @Test
    void compressedIncompressibleDataFallsBackToPlainClusters() throws Exception {
        Path image = Images.random(dir, "random.qcow2", "", 4);
        Path compressed = dir.resolve("c.qcow2");
        Tools.run("qemu-img", "convert", "-q", "-c", "-O", "qcow2", image.toString(), compressed.toString());
        Path out = dir.resolve("out.img");

        Conversions.importFile(compressed, out);

        assertIdentical(out, compressed);
    }

    @Test
    void virtualSizeThatIsNotAClusterMultiple() throws Exception {
        Path image = Tools.qcow2(dir.resolve("odd.qcow2"), "1000001", "cluster_size=64k");
        Tools.qemuIo(image, "qcow2", "write -P 0x42 983040 16961");
        Path out = dir.resolve("out.img");

        ImportResult result = Conversions.importFile(image, out);

        assertIdentical(out, image);
        assertThat(result.diskSize()).isEqualTo(Tools.virtualSize(image)).isEqualTo(1_000_448);
    }

    @Test
    void emptyImageIsAllHoles() throws Exception {
        Path image = Tools.qcow2(dir.resolve("empty.qcow2"), "10G", "");
        Path out = dir.resolve("out.img");

        Conversions.importFile(image, out);

        assertIdentical(out, image);
        assertThat(allocated(out)).isZero();
    }

    @Test
    void resizedImageWithL1AfterItsDataReplaysPassedClusters() throws Exception {
        Path image = Images.scattered(dir, "grown.qcow2", "cluster_size=4k");
        Tools.run("qemu-img", "resize", "-q", image.toString(), "2G");
        Tools.qemuIo(image, "qcow2", "write -P 0x99 1G 128k", "write -P 0x98 2047M 1M");
        Path out = dir.resolve("out.img");

        Conversions.importFile(image, out);

        assertIdentical(out, image);
    }

    @Test
    void internalSnapshotsDoNotLeakIntoTheActiveImage() throws Exception {
        Path image = Images.scattered(dir, "snap.qcow2", "");
        Tools.run("qemu-img", "snapshot", "-c", "before", image.toString());
        Tools.qemuIo(image, "qcow2", "write -P 0x33 0 2M", "write -z 30M 3M");
        Path out = dir.resolve("out.img");

        Conversions.importFile(image, out);

        assertIdentical(out, image);
    }

    /** No more allocated than qemu-img's own sparse raw output, give or take a block per data run. */
    private void assertSparse(Path image, Path out) {
        Path reference = dir.resolve("reference.raw");
        Tools.run("qemu-img", "convert", "-q", "-O", "raw", image.toString(), reference.toString());
        assertThat(allocated(out)).isLessThanOrEqualTo(allocated(reference) + 64 * 1024);
    }
}
