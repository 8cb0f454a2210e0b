package dev.ferry.vmruntime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.vmruntime.testing.AgentGuest;
import dev.ferry.vmruntime.testing.Launchers;
import dev.ferry.vmruntime.testing.TestGuest;
import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.launcher.LauncherClient;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.ThawResult;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher and a real guest agent (Debian's qemu-ga in the guest, on KubeVirt's
 * {@code org.qemu.guest_agent.0} channel): the agent is reported while it answers; a freeze holds
 * the guest's writes (its counter stops) until the thaw; a freeze nobody thaws is thawed by the
 * launcher after its unfreeze timeout; a paused guest's agent cannot answer, so a freeze is refused.
 */
class GuestAgentTest {
    @TempDir
    Path dir;

    private final Launchers launchers = new Launchers();

    @AfterEach
    void stopLaunchers() throws Exception {
        launchers.stopAll();
    }

    @Test
    void freezeHoldsTheGuestsWritesUntilThawOrTheUnfreezeTimeout() throws Exception {
        Path root = AgentGuest.volume(dir, "root", "128M");
        Path scratch = TestGuest.volume(dir, "scratch", "8M");
        var vmi = TestGuest.vmi("agent-" + ProcessHandle.current().pid(), AgentGuest.kernel().toString(),
                AgentGuest.initrd().toString());
        vmi.getSpec().domain.firmware.serial = "FERRY-SERIAL-1";
        Path vmiFile = Files.writeString(dir.resolve("vmi.yaml"), Serialization.asYaml(vmi));
        Path console = dir.resolve("console.log");
        int port = LauncherMainTest.freePort();
        Map<String, String> env = new LauncherEnv(null, vmiFile, Map.of("rootdisk", root, "data", scratch), console, "qemu",
                Path.of("/run/ferry/accelerator"), null, Path.of("/run/ferry"), false, List.of(),
                new Reporting(port, "", dir.resolve("termination-log"))).toEnv();
        launchers.start(env, new CountDownLatch(1));
        LauncherClient control = new LauncherClient("127.0.0.1", port);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(console) && log(console).contains("counter 2"));
        await("the agent answers").atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(control.status().agentConnected()));
        assertThat(log(console)).contains("guest: agent started on /dev/vport").contains("counter file holds 0")
                .as("the SMBIOS serial from spec.domain.firmware.serial").contains("guest: serial FERRY-SERIAL-1,")
                .contains("guest: root filesystem clean").containsPattern("guest: mac \\w+ ([0-9a-f]{2}:){5}[0-9a-f]{2}");

        control.freeze(Duration.ZERO);
        LauncherStatus frozen = control.status();
        assertThat(frozen.fsFreezeStatus()).isEqualTo(LauncherStatus.FROZEN);
        assertThat(log(console)).contains("guest: fsfreeze freeze");
        int held = TestGuest.lastCounter(console);
        await("the guest's write and sync wait while it is frozen").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(250)).until(() -> TestGuest.lastCounter(console) <= held + 1);
        var thawed = control.unfreeze();
        assertThat(thawed.wasFrozen()).isTrue();
        assertThat(thawed.frozenMillis()).isBetween(3000L, 10_000L);
        assertThat(control.status().fsFreezeStatus()).isNull();
        assertThat(control.status().lastFreezeMillis()).isEqualTo(thawed.frozenMillis());
        assertThat(control.unfreeze()).as("a second unfreeze: nothing was frozen").isEqualTo(ThawResult.NOT_FROZEN);
        await("the counter moves again").atMost(Duration.ofSeconds(20)).until(() -> TestGuest.lastCounter(console) > held + 1);
        assertThat(log(console)).contains("guest: fsfreeze thaw");

        control.freeze(Duration.ofSeconds(2));
        assertThat(control.status().fsFreezeStatus()).isEqualTo(LauncherStatus.FROZEN);
        await("the safety thaw").atMost(Duration.ofSeconds(15)).until(() -> control.status().fsFreezeStatus() == null);
        assertThat(log(console).split("guest: fsfreeze thaw", -1)).as("two thaws on the console").hasSize(3);

        control.pause();
        await("a paused guest's agent does not answer").atMost(Duration.ofSeconds(15))
                .until(() -> !Boolean.TRUE.equals(control.status().agentConnected()));
        assertThatThrownBy(() -> control.freeze(Duration.ZERO)).hasMessageContaining("the guest agent does not answer");
        control.unpause();
        await("the agent answers again").atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(control.status().agentConnected()));
    }

    private static String log(Path console) throws IOException {
        return Files.readString(console, StandardCharsets.ISO_8859_1);
    }
}
