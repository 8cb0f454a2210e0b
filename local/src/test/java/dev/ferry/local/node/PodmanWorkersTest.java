package dev.ferry.local.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.WorkerKind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code podman run} gets for a worker Pod (bin/test-images runs such containers for real). */
class PodmanWorkersTest {
    @TempDir
    Path dir;
    private final PodmanWorkers podman = new PodmanWorkers(Map.of(WorkerKind.IMPORTER, "localhost/ferry:latest",
            WorkerKind.UPLOAD_SERVER, "localhost/ferry:latest"), Path.of("/tmp/run-ferry"));

    @Test
    void aWorkerPodRunsAsItsUserWithItsVolumesWhereThePodMountsThem() throws Exception {
        Container importer = new ContainerBuilder().withName("importer").withImage("ferry/importer:local")
                .withArgs("worker", "importer").addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .addNewVolumeMount().withName("creds").withMountPath("/var/run/ferry/secret").withReadOnly(true).endVolumeMount()
                .withTerminationMessagePath("/dev/termination-log").build();
        Pod pod = pod(importer, false);
        Map<String, Path> mounts = new LinkedHashMap<>();
        mounts.put("/data", Files.createDirectories(dir.resolve("claim")));
        mounts.put("/var/run/ferry/secret", Files.createDirectories(dir.resolve("secret")));

        List<String> command = podman.command(WorkerKind.IMPORTER, pod, importer, Map.of("FERRY_DATA_PATH", "/data"), mounts,
                dir.resolve("termination-log"));

        assertThat(command.subList(0, 6)).containsExactly("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs", "run");
        assertThat(String.join(" ", command))
                .contains("--name ferry-vms-importer-disk-000000000abc")
                .contains("--network host").contains("--ulimit nofile=1024:1024").contains("--user 107:107")
                .contains("--volume " + dir.resolve("termination-log") + ":/dev/termination-log")
                .contains("--volume " + dir.resolve("claim") + ":/data ")
                .contains("--volume " + dir.resolve("secret") + ":/var/run/ferry/secret:ro")
                .contains("--env FERRY_DATA_PATH=/data")
                .endsWith("localhost/ferry:latest worker importer")
                .doesNotContain("--privileged");
        assertThat(podman.kind(importer)).isEqualTo(WorkerKind.IMPORTER);
        assertThat(podman.nodePaths(WorkerKind.IMPORTER)).as("the container sees the Pod's paths, not the node's").isFalse();
    }

    @Test
    void aBlockVolumeIsADeviceAndAPrivilegedContainerIsPrivileged() throws Exception {
        Container launcher = new ContainerBuilder().withName("compute").withImage("ferry/launcher:local")
                .addNewVolumeDevice().withName("data").withDevicePath("/dev/ferry-block").endVolumeDevice()
                .withNewSecurityContext().withPrivileged(true).endSecurityContext().build();
        Path device = Files.createFile(dir.resolve("loop"));

        Path kernel = Files.writeString(dir.resolve("vmlinuz"), "kernel");
        String vmi = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"vm\"},"
                + "\"spec\":{\"domain\":{\"firmware\":{\"kernelBoot\":{\"container\":{\"image\":\"k\",\"kernelPath\":\"" + kernel
                + "\"}}}}}}";
        PodmanWorkers podman = new PodmanWorkers(Map.of(WorkerKind.LAUNCHER, "localhost/ferry-launcher:latest"), dir.resolve("run"));

        List<String> command = podman.command(WorkerKind.LAUNCHER, pod(launcher, true), launcher, Map.of("FERRY_VMI_JSON", vmi),
                Map.of("/dev/ferry-block", device), dir.resolve("termination-log"));

        assertThat(String.join(" ", command)).as("launchers share the node's libvirt run directory; the kernel comes from the node")
                .contains("--volume " + dir.resolve("run") + ":/run/ferry").contains("--volume " + kernel + ":" + kernel + ":ro");

        assertThat(String.join(" ", command)).contains("--device " + device.toRealPath() + ":/dev/ferry-block").contains("--privileged")
                .doesNotContain("--user").endsWith("localhost/ferry-launcher:latest worker launcher");
        assertThat(podman.kind(launcher)).isEqualTo(WorkerKind.LAUNCHER);
    }

    private static Pod pod(Container container, boolean root) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("importer-disk").withNamespace("vms")
                .withUid("00000000-0000-0000-0000-000000000abc").endMetadata().withNewSpec().withContainers(container).endSpec();
        if (!root) {
            pod.editSpec().withNewSecurityContext().withRunAsUser(107L).withFsGroup(107L).endSecurityContext().endSpec();
        }
        return pod.build();
    }
}
