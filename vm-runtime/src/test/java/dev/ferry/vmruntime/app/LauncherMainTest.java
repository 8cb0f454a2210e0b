package dev.ferry.vmruntime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.ContainerDisks;
import dev.ferry.importer.testing.DockerRegistry;
import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.launcher.LauncherClient;
import dev.ferry.worker.launcher.LauncherState;
import dev.ferry.worker.launcher.LauncherStatus;
import java.util.List;
import dev.ferry.vmruntime.testing.Launchers;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a worker, with the libvirtd it starts for itself: VMI and volumes from its environment
 * variables, state, pause and console on its control endpoint, SIGTERM shuts the guest down
 * (ACPI power button), one JSON line out.
 */
class LauncherMainTest {
    @TempDir
    Path dir;

    private final Launchers launchers = new Launchers();

    private DockerRegistry registry;

    @AfterEach
    void stopLaunchers() throws Exception {
        launchers.stopAll();
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void runsTheVmiAnswersTheHandlerAndShutsDownGracefully() throws Exception {
        Path root = TestGuest.volume(dir, "root", "64M");
        Path scratch = TestGuest.volume(dir, "scratch", "8M");
        var vmi = TestGuest.vmi("launcher-main-" + ProcessHandle.current().pid());
        vmi.getSpec().terminationGracePeriodSeconds = 60L;
        // a cloud-init NoCloud disk, which the launcher writes itself
        var seedDisk = new dev.ferry.api.kubevirt.v1.VmiSpec.Disk();
        seedDisk.name = "cloudinitdisk";
        seedDisk.disk = new dev.ferry.api.kubevirt.v1.VmiSpec.DiskTarget();
        vmi.getSpec().domain.devices.disks.add(seedDisk);
        var seed = new dev.ferry.api.kubevirt.v1.VmiSpec.Volume();
        seed.name = "cloudinitdisk";
        seed.cloudInitNoCloud = new dev.ferry.api.kubevirt.v1.VmiSpec.CloudInitNoCloud();
        seed.cloudInitNoCloud.userDataBase64 = java.util.Base64.getEncoder().encodeToString(
                "#cloud-config\nferry-test: hello-from-cidata\n".getBytes(StandardCharsets.UTF_8));
        vmi.getSpec().volumes.add(seed);
        // a containerDisk from a registry (plain HTTP, as local registries are) and an emptyDisk
        Tools.require("docker-registry");
        registry = DockerRegistry.open(Files.createDirectories(dir.resolve("registry")));
        byte[] containerDisk = new byte[1 << 20];
        byte[] marker = "CONTAINERDISK-OK".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, containerDisk, 0, marker.length);
        registry.pushImage("vms/disk", "1", java.util.List.of(registry.pushBlob("vms/disk",
                ContainerDisks.layer("disk/disk.img", containerDisk), ContainerDisks.LAYER)));
        for (String[] extra : new String[][] {{"containerdisk", "containerDisk"}, {"scratch", "emptyDisk"}}) {
            var device = new dev.ferry.api.kubevirt.v1.VmiSpec.Disk();
            device.name = extra[0];
            device.disk = new dev.ferry.api.kubevirt.v1.VmiSpec.DiskTarget();
            vmi.getSpec().domain.devices.disks.add(device);
            var volume = new dev.ferry.api.kubevirt.v1.VmiSpec.Volume();
            volume.name = extra[0];
            if (extra[1].equals("containerDisk")) {
                volume.containerDisk = new dev.ferry.api.kubevirt.v1.VmiSpec.ContainerDisk();
                volume.containerDisk.image = registry.host() + "/vms/disk:1";
            } else {
                volume.emptyDisk = new dev.ferry.api.kubevirt.v1.VmiSpec.EmptyDisk();
                volume.emptyDisk.capacity = new io.fabric8.kubernetes.api.model.Quantity("8Mi");
            }
            vmi.getSpec().volumes.add(volume);
        }
        Path vmiFile = Files.writeString(dir.resolve("vmi.yaml"), Serialization.asYaml(vmi));
        Path console = dir.resolve("console.log");
        int port = freePort();
        Map<String, String> env = new LauncherEnv(null, vmiFile, Map.of("rootdisk", root, "data", scratch), console, "qemu",
                Path.of("/run/ferry/accelerator"), null, Path.of("/run/ferry"), false, List.of(registry.host()),
                new Reporting(port, "", dir.resolve("termination-log"))).toEnv();
        CountDownLatch sigterm = new CountDownLatch(1);
        CompletableFuture<Integer> launcher = launchers.start(env, sigterm);
        LauncherClient control = new LauncherClient("127.0.0.1", port);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains("counter 1"));
        LauncherStatus status = control.status();
        assertThat(status.state()).isEqualTo(LauncherState.RUNNING);
        assertThat(status.accelerator()).isEqualTo("tcg");
        assertThat(status.libvirtUri()).as("its own libvirtd").startsWith("qemu+unix:///system?socket=/run/ferry/");
        assertThat(new String(control.console(0).bytes(), StandardCharsets.ISO_8859_1)).contains("guest up, disk marked");
        assertThat(Files.readString(console, StandardCharsets.ISO_8859_1)).as("the guest read the NoCloud seed")
                .contains("cidata seed on /dev/vdc").contains("instance-id: " + vmi.getMetadata().getName() + ".vms")
                .contains("ferry-test: hello-from-cidata")
                .as("the containerDisk, pulled and converted, and an 8 MiB emptyDisk")
                .contains("disk vdd: 2048 sectors, starts CONTAINERDISK-OK").contains("disk vde: 16384 sectors");

        control.pause();
        assertThat(control.status().state()).isEqualTo(LauncherState.PAUSED);
        control.unpause();
        assertThat(control.status().state()).isEqualTo(LauncherState.RUNNING);

        sigterm.countDown();
        assertThat(launcher.get()).isZero();
        assertThat(Files.readString(dir.resolve("termination-log"))).contains("\"outcome\":\"Succeeded\"")
                .contains("\"reason\":\"Shutdown\"");
        assertThat(Files.readString(console, StandardCharsets.ISO_8859_1)).contains("guest: power button, powering off");
    }

    @Test
    void aBadVmiIsReportedAsTheResult() throws Exception {
        Path vmiFile = Files.writeString(dir.resolve("vmi.yaml"), "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
                + "metadata: {name: x, namespace: y}\nspec:\n  domain:\n    devices:\n      disks: [{name: root}]\n");
        int exit = LauncherMain.run(new LauncherEnv(null, vmiFile, Map.of(), dir.resolve("c.log"), "qemu",
                Path.of("/run/ferry/accelerator"), null, Path.of("/run/ferry"), false, List.of(),
                new Reporting(-1, "", dir.resolve("termination-log"))).toEnv(), new CountDownLatch(1));
        assertThat(exit).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("termination-log"))).contains("\"outcome\":\"Failed\"")
                .contains("disk root names no volume in spec.volumes");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
