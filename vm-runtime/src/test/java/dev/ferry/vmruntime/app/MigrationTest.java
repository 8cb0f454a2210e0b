package dev.ferry.vmruntime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.vmruntime.handler.LauncherClient;
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
        Map<String, String> source = env(vmiFile, root, scratch, "source", sourcePort);
        Map<String, String> target = env(vmiFile, root, scratch, "target", targetPort);
        target.put("FERRY_MIGRATION_TARGET", "true");
        CountDownLatch stopSource = new CountDownLatch(1);
        CountDownLatch stopTarget = new CountDownLatch(1);
        CompletableFuture<Integer> sourceRun = launchers.start(source, stopSource);
        CompletableFuture<Integer> targetRun = launchers.start(target, stopTarget);
        LauncherClient from = new LauncherClient(URI.create("http://127.0.0.1:" + sourcePort));
        LauncherClient to = new LauncherClient(URI.create("http://127.0.0.1:" + targetPort));
        Path sourceConsole = dir.resolve("source-console.log");
        Path targetConsole = dir.resolve("target-console.log");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(sourceConsole) && Files.readString(sourceConsole, StandardCharsets.ISO_8859_1).contains("counter 2"));
        LauncherClient.Status waiting = to.status();
        assertThat(waiting.state()).isEqualTo("WaitingForMigration");
        assertThat(waiting.libvirtUri()).isNotEqualTo(from.status().libvirtUri());

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("targetUri", waiting.libvirtUri());
        request.put("migrationUri", "tcp://127.0.0.1:" + waiting.migrationPort());
        request.put("consoleTo", waiting.console());
        request.put("unsafe", true);
        request.put("maxDowntimeMillis", 50);

        // first one that cannot finish in time: 1 MiB/s for a 256 MiB guest, 3 s allowed — aborted, the guest stays
        Map<String, Object> slow = new LinkedHashMap<>(request);
        slow.put("bandwidthMiBps", 1);
        slow.put("completionTimeoutSeconds", 3);
        from.post("migrate", slow);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> from.status().migration() != null && !"Running".equals(from.status().migration().get("phase")));
        assertThat(from.status().migration().get("phase")).isEqualTo("Failed");
        assertThat((String) from.status().migration().get("message")).contains("did not complete within 3 s");
        await().atMost(Duration.ofSeconds(10)).until(() -> "Running".equals(from.status().state()));
        int beforeRetry = TestGuest.lastCounter(sourceConsole);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestGuest.lastCounter(sourceConsole) > beforeRetry);
        assertThat(to.status().state()).as("the target still waits").isEqualTo("WaitingForMigration");

        from.post("migrate", request);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> from.status().migration() != null && !"Running".equals(from.status().migration().get("phase")));
        Map<String, Object> outcome = from.status().migration();
        assertThat(outcome.get("phase")).as(String.valueOf(outcome.get("message"))).isEqualTo("Succeeded");
        assertThat(((Number) outcome.get("downtimeMillis")).longValue()).isBetween(0L, 5_000L);
        assertThat(from.status().state()).isEqualTo("Migrated");
        await().atMost(Duration.ofSeconds(10)).until(() -> "Running".equals(to.status().state()));

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

    private Map<String, String> env(Path vmiFile, Path root, Path scratch, String side, int port) {
        return new HashMap<>(Map.of("FERRY_VMI", vmiFile.toString(), "FERRY_VOLUME_ROOTDISK", root.toString(),
                "FERRY_VOLUME_DATA", scratch.toString(), "FERRY_CONSOLE_LOG", dir.resolve(side + "-console.log").toString(),
                "FERRY_ACCELERATOR", "qemu", "FERRY_TERMINATION_LOG", dir.resolve(side + "-termination-log").toString(),
                "FERRY_METRICS_PORT", String.valueOf(port)));
    }
}
