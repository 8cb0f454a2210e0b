package dev.ferry.vmruntime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as a worker: VMI and volumes from FERRY_* variables, SIGTERM stops the guest, one JSON line out. */
class LauncherMainTest {
    @TempDir
    Path dir;

    @Test
    void runsTheVmiUntilStoppedAndReportsHow() throws Exception {
        Path root = TestGuest.volume(dir, "root", "64M");
        Path scratch = TestGuest.volume(dir, "scratch", "8M");
        var vmi = TestGuest.vmi("launcher-main-" + ProcessHandle.current().pid());
        vmi.getSpec().terminationGracePeriodSeconds = 1L;
        Path vmiFile = Files.writeString(dir.resolve("vmi.yaml"), Serialization.asYaml(vmi));
        Path console = dir.resolve("console.log");
        Map<String, String> env = Map.of("FERRY_VMI", vmiFile.toString(), "FERRY_VOLUME_ROOTDISK", root.toString(),
                "FERRY_VOLUME_DATA", scratch.toString(), "FERRY_CONSOLE_LOG", console.toString(), "FERRY_ACCELERATOR", "qemu",
                "FERRY_TERMINATION_LOG", dir.resolve("termination-log").toString());
        CountDownLatch sigterm = new CountDownLatch(1);
        CompletableFuture<Integer> launcher = CompletableFuture.supplyAsync(() -> LauncherMain.run(env, sigterm));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains("counter 1"));
        sigterm.countDown();
        assertThat(launcher.get()).isZero();
        assertThat(Files.readString(dir.resolve("termination-log"))).contains("\"outcome\":\"Succeeded\"")
                .contains("\"reason\":\"Destroyed\"");
    }

    @Test
    void aBadVmiIsReportedAsTheResult() throws Exception {
        Path vmiFile = Files.writeString(dir.resolve("vmi.yaml"), "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
                + "metadata: {name: x, namespace: y}\nspec:\n  domain:\n    devices:\n      disks: [{name: root}]\n");
        int exit = LauncherMain.run(Map.of("FERRY_VMI", vmiFile.toString(), "FERRY_ACCELERATOR", "qemu",
                "FERRY_CONSOLE_LOG", dir.resolve("c.log").toString(),
                "FERRY_TERMINATION_LOG", dir.resolve("termination-log").toString()), new CountDownLatch(1));
        assertThat(exit).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("termination-log"))).contains("\"outcome\":\"Failed\"")
                .contains("disk root names no volume in spec.volumes");
    }
}
