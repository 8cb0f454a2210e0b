package dev.ferry.disk.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.Conversions;
import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports onto a real block device: a loop device over a file filled with garbage, so that
 * zero ranges must really be zeroed (BLKZEROOUT). Needs root and loop devices, as CI has.
 */
class BlockDeviceTargetTest {
    @TempDir
    Path dir;
    private String device;

    @BeforeEach
    void attachLoopDevice() {
        Path backing = dir.resolve("backing.img");
        Tools.run("sh", "-c", "head -c 80M /dev/urandom > " + backing);
        device = Tools.run("losetup", "--find", "--show", backing.toString()).trim();
        assertThat(device).as("losetup needs root and /dev/loop*: run the tests as root (CI does)").startsWith("/dev/loop");
    }

    @AfterEach
    void detach() {
        if (device != null) {
            Tools.exec("losetup", "-d", device);
        }
    }

    @Test
    void qcow2OntoADeviceFullOfGarbage() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");

        Conversions.importFile(image, Path.of(device));

        Path head = dir.resolve("head.raw");
        Tools.run("sh", "-c", "head -c 64M " + device + " > " + head);
        Tools.assertIdentical(head, image);
        assertThat(Tools.exec("cmp", "-i", (64L << 20) + ":0", "-n", String.valueOf(16L << 20), device, "/dev/zero").exitCode())
                .as("past the image, the device is zeroed").isZero();
    }

    @Test
    void aBlankDiskTakesTheDevicesSizeAndGivesItsSpaceBack() throws Exception {
        ImportResult result = DiskImport.blank(new Destination(Path.of(device)), ImportOptions.defaults());

        assertThat(result.virtualSize()).isEqualTo(80L << 20);
        assertThat(Tools.exec("cmp", "-n", String.valueOf(80L << 20), device, "/dev/zero").exitCode()).isZero();
        assertThat(Tools.allocated(dir.resolve("backing.img"))).as("a loop device unmaps what it zeroes").isLessThan(1L << 20);
    }

    @Test
    void imageLargerThanTheDeviceFailsBeforeWriting() throws Exception {
        Path image = Tools.qcow2(dir.resolve("big.qcow2"), "1G", "");

        assertThatThrownBy(() -> Conversions.importFile(image, Path.of(device)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("does not fit the 80 MiB block device");
    }
}
