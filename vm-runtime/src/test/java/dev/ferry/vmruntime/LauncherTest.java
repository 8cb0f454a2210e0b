package dev.ferry.vmruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.disk.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real guest through real libvirtd and QEMU (TCG here: /dev/kvm exists but nested KVM hangs):
 * the Debian kernel and a busybox initramfs built by the test, the volume's raw disk attached
 * as virtio; the guest writes a marker onto the disk and counts on the serial console.
 */
class LauncherTest {
    static final String URI = "qemu:///system";
    private static final String[] MODULES = {"virtio/virtio_ring", "virtio/virtio", "virtio/virtio_pci_legacy_dev",
            "virtio/virtio_pci_modern_dev", "virtio/virtio_pci", "block/virtio_blk"};

    @TempDir
    static Path shared;
    static Path kernel;
    static Path initrd;

    @TempDir
    Path dir;

    @BeforeAll
    static void guest() throws IOException {
        Tools.require("virsh");
        Tools.require("qemu-system-x86_64");
        kernel = Accelerator.newestKernel();
        assertThat(kernel).as("a Debian kernel in /boot (linux-image-amd64): run `make deps`").isNotNull();
        assertThat(Path.of("/bin/busybox")).as("busybox-static: run `make deps`").exists();
        String version = kernel.getFileName().toString().substring("vmlinuz-".length());
        List<Path> modules = new ArrayList<>();
        for (String module : MODULES) {
            modules.add(Path.of("/lib/modules", version, "kernel/drivers", module + ".ko"));
        }
        initrd = shared.resolve("guest.cpio.gz");
        Initramfs.write(initrd, Path.of("/bin/busybox"), """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
                for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
                  insmod /modules/$m.ko
                done
                i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
                echo FERRY-MARKER | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null
                echo "guest up, disk marked"
                n=0; while true; do echo "counter $n"; n=$((n+1)); sleep 1; done
                """, modules);
    }

    @Test
    void aVmiBootsFromItsVolumeAndStopsOnRequest() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("fedora"));
        Tools.run("qemu-img", "create", "-q", "-f", "raw", volume.resolve("disk.img").toString(), "64M");
        Files.createDirectories(dir.resolve("scratch"));
        Tools.run("qemu-img", "create", "-q", "-f", "raw", dir.resolve("scratch/disk.img").toString(), "8M");
        VirtualMachineInstance vmi = DomainXmlTest.vmi(kernel.toString(), initrd.toString());
        vmi.getMetadata().setName("launcher-test-" + ProcessHandle.current().pid());
        Path console = dir.resolve("console.log");
        DomainSpec spec = DomainSpec.from(vmi, Map.of("rootdisk", volume, "data", dir.resolve("scratch")), console,
                Accelerator.TCG);
        try (Launcher launcher = new Launcher(URI)) {
            launcher.start(spec);
            assertThat(launcher.running()).isTrue();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains("counter 2"));
            assertThat(Files.readString(console, StandardCharsets.ISO_8859_1)).contains("guest up, disk marked");
            byte[] head = Files.readAllBytes(volume.resolve("disk.img"));
            assertThat(new String(head, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("FERRY-MARKER");

            boolean graceful = launcher.stop(Duration.ofSeconds(2));
            assertThat(graceful).as("this guest has no ACPI handler: destroyed after the grace period").isFalse();
            assertThat(launcher.running()).isFalse();
        }
    }

    @Test
    void withoutLibvirtTheErrorSaysWhatToDo() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Launcher("qemu+unix:///system?socket=/nonexistent"))
                .hasMessageContaining("is libvirtd running?").hasMessageContaining("make deps");
    }
}
