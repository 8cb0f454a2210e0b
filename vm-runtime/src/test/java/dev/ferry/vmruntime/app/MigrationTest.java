package dev.ferry.vmruntime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.launcher.LauncherClient;
import dev.ferry.worker.launcher.LauncherState;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.MigrationReport;
import dev.ferry.worker.launcher.MigrationRequest;
import java.util.List;
import dev.ferry.vmruntime.testing.Launchers;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live migration between two launchers on this host, each with its own libvirtd (distinct host
 * UUIDs), the disk shared: the guest's counter goes on on the target's console, so its memory
 * moved, and the source reports how long the guest was paused.
 */
class MigrationTest {
    @TempDir
    Path dir;
    private final Launchers launchers = new Launchers();

    @AfterEach
    void stopLaunchers() throws Exception {
        launchers.stopAll();
    }

    @Test
    void theGuestMovesLiveAndKeepsCounting() throws Exception {
        Path root = TestGuest.volume(dir, "root", "64M");
        Path scratch = TestGuest.volume(dir, "scratch", "8M");
        var vmi = TestGuest.vmi("migration-" + ProcessHandle.current().pid());
        Path vmiFile = Files.writeString(dir.resolve("vmi.yaml"), Serialization.asYaml(vmi));
        int sourcePort = LauncherMainTest.freePort();
        int targetPort = LauncherMainTest.freePort();
        Map<String, String> source = env(vmiFile, root, scratch, "source", sourcePort, false);
        Map<String, String> target = env(vmiFile, root, scratch, "target", targetPort, true);
        CountDownLatch stopSource = new CountDownLatch(1);
        CountDownLatch stopTarget = new CountDownLatch(1);
        CompletableFuture<Integer> sourceRun = launchers.start(source, stopSource);
        CompletableFuture<Integer> targetRun = launchers.start(target, stopTarget);
        LauncherClient from = new LauncherClient("127.0.0.1", sourcePort);
        LauncherClient to = new LauncherClient("127.0.0.1", targetPort);
        Path sourceConsole = dir.resolve("source-console.log");
        Path targetConsole = dir.resolve("target-console.log");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(sourceConsole) && Files.readString(sourceConsole, StandardCharsets.ISO_8859_1).contains("counter 2"));
        LauncherStatus waiting = to.status();
        assertThat(waiting.state()).isEqualTo(LauncherState.WAITING_FOR_MIGRATION);
        assertThat(waiting.libvirtUri()).isNotEqualTo(from.status().libvirtUri());

        String address = "tcp://127.0.0.1:" + waiting.migrationPort();
        MigrationRequest request = new MigrationRequest(waiting.libvirtUri(), address, waiting.console(), true, 50, 0, 0, 150);

        // first one that cannot finish in time: 1 MiB/s for a 256 MiB guest, 3 s allowed — aborted, the guest stays
        from.migrate(new MigrationRequest(waiting.libvirtUri(), address, waiting.console(), true, 50, 1, 3, 150));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> from.status().migration() != null && from.status().migration().phase() != MigrationReport.Phase.Running);
        assertThat(from.status().migration().phase()).isEqualTo(MigrationReport.Phase.Failed);
        assertThat(from.status().migration().message()).contains("did not complete within 3 s");
        await().atMost(Duration.ofSeconds(10)).until(() -> from.status().state() == LauncherState.RUNNING);
        int beforeRetry = TestGuest.lastCounter(sourceConsole);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestGuest.lastCounter(sourceConsole) > beforeRetry);
        assertThat(to.status().state()).as("the target still waits").isEqualTo(LauncherState.WAITING_FOR_MIGRATION);

        from.migrate(request);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> from.status().migration() != null && from.status().migration().phase() != MigrationReport.Phase.Running);
        MigrationReport outcome = from.status().migration();
        assertThat(outcome.phase()).as(outcome.message()).isEqualTo(MigrationReport.Phase.Succeeded);
        assertThat(outcome.downtimeMillis()).isBetween(0L, 5_000L);
        assertThat(from.status().state()).isEqualTo(LauncherState.MIGRATED);
        await().atMost(Duration.ofSeconds(10)).until(() -> to.status().state() == LauncherState.RUNNING);

        int lastOnSource = TestGuest.lastCounter(sourceConsole);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(targetConsole) && TestGuest.lastCounter(targetConsole) > lastOnSource + 1);
        int firstOnTarget = TestGuest.firstCounter(targetConsole);
        assertThat(firstOnTarget).as("the counter goes on where the source stopped: memory moved, not a reboot")
                .isBetween(lastOnSource, lastOnSource + 2);
        assertThat(Files.readString(targetConsole, StandardCharsets.ISO_8859_1)).doesNotContain("guest up");

        stopSource.countDown();
        assertThat(sourceRun.get()).isZero();
        assertThat(Files.readString(dir.resolve("source-termination-log"))).contains("\"reason\":\"Migrated\"");
        stopTarget.countDown();
        assertThat(targetRun.get()).isZero();
        assertThat(Files.readString(dir.resolve("target-termination-log"))).contains("\"reason\":\"Shutdown\"");
    }

    private Map<String, String> env(Path vmiFile, Path root, Path scratch, String side, int port, boolean target) {
        return new LauncherEnv(null, vmiFile, Map.of("rootdisk", root, "data", scratch), dir.resolve(side + "-console.log"), "qemu",
                Path.of("/run/ferry/accelerator"), null, Path.of("/run/ferry"), target, List.of(),
                new Reporting(port, "", dir.resolve(side + "-termination-log"))).toEnv();
    }
}
