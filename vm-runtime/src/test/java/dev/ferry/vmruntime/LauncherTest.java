package dev.ferry.vmruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.vmruntime.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real guest through real libvirtd and QEMU (TCG here: /dev/kvm exists but nested KVM hangs):
 * the volume's raw disk attached as virtio; the guest writes a marker onto the disk and counts
 * on the serial console.
 */
class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void aVmiBootsFromItsVolumeAndStopsOnRequest() throws Exception {
        Path volume = TestGuest.volume(dir, "fedora", "64M");
        Path scratch = TestGuest.volume(dir, "scratch", "8M");
        VirtualMachineInstance vmi = TestGuest.withKernelArgs(TestGuest.vmi("launcher-test-" + ProcessHandle.current().pid()),
                "ferry.noacpi");
        Path console = dir.resolve("console.log");
        DomainSpec spec = DomainSpec.from(vmi, Map.of("rootdisk", volume, "data", scratch), console, Accelerator.TCG);
        try (Launcher launcher = new Launcher("qemu:///system")) {
            launcher.start(spec);
            assertThat(launcher.running()).isTrue();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains("counter 2"));
            assertThat(Files.readString(console, StandardCharsets.ISO_8859_1)).contains("guest up, disk marked");
            byte[] head = Files.readAllBytes(volume.resolve("disk.img"));
            assertThat(new String(head, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("FERRY-MARKER");

            boolean graceful = launcher.stop(Duration.ofSeconds(2));
            assertThat(graceful).as("this guest ignores the power button: destroyed after the grace period").isFalse();
            assertThat(launcher.running()).isFalse();
        }
    }

    @Test
    void withoutLibvirtTheErrorSaysWhatToDo() {
        assertThatThrownBy(() -> new Launcher("qemu+unix:///system?socket=/nonexistent"))
                .hasMessageContaining("is libvirtd running?").hasMessageContaining("make deps");
    }
}
