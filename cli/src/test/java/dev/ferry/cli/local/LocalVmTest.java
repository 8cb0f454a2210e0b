package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.local.app.LocalMode;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VMs end to end on local mode: KubeVirt VirtualMachine YAML with a DataVolume template, real
 * launcher processes each with its own libvirtd, QEMU (TCG here), the node handler, and the
 * {@code ferry} commands a user types. The test guest writes a marker onto its disk and counts
 * on its serial console.
 */
class LocalVmTest {
    private static final Duration BOOT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private LocalMode local;
    private KubernetesClient client;

    @BeforeEach
    void setUp() throws Exception {
        TestGuest.kernel();
        local = new LocalMode(dir.resolve("root"), 0, 0);
        client = local.client();
    }

    @AfterEach
    void tearDown() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void aVmBootsFromItsDataVolumePausesRefusesMigrationOfAnRwoDiskAndStopsGracefully() throws Exception {
        apply("marker", "Always", "ReadWriteOnce", "");
        awaitVm("marker", "Running", BOOT);
        VirtualMachineInstance vmi = vmi("marker");
        assertThat(vmi.getStatus().accelerator).isIn("kvm", "tcg");
        assertThat(vmi.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("LiveMigratable");
            assertThat(c.status).isEqualTo("False");
            assertThat(c.reason).isEqualTo("DisksNotLiveMigratable");
        });
        FerryTestAccess.Result console = ferry("console", "marker", "--until", "counter 1", "--timeout", "60s");
        assertThat(console.exit()).isZero();

        FerryTestAccess.Result migrate = ferry("migrate", "marker", "--wait", "--timeout", "30s");
        assertThat(migrate.exit()).isEqualTo(1);
        assertThat(migrate.err()).contains("is not shared, live migration requires that all PVCs must be shared");
        assertThat(client.resources(VirtualMachineInstanceMigration.class).inNamespace("default").list().getItems())
                .singleElement().satisfies(m -> assertThat(m.getStatus().conditions.get(0).reason).isEqualTo("DisksNotLiveMigratable"));

        assertThat(ferry("pause", "vm", "marker").exit()).isZero();
        awaitVm("marker", "Paused", Duration.ofSeconds(20));
        assertThat(ferry("unpause", "vm", "marker").exit()).isZero();
        awaitVm("marker", "Running", Duration.ofSeconds(20));

        String launcherPod = vmi.getStatus().launcherPod;
        assertThat(ferry("stop", "marker").exit()).isZero();
        awaitVm("marker", "Stopped", Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).until(() -> vmi("marker") == null);
        Path termination = podDir(launcherPod).resolve("termination-log");
        assertThat(Files.readString(termination)).as("ACPI shutdown, not destroy").contains("\"reason\":\"Shutdown\"");
        byte[] head = Files.readAllBytes(disk("marker-root"));
        assertThat(new String(head, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("FERRY-MARKER");
    }

    @Test
    void runStrategiesDecideWhatHappensWhenTheGuestPowersOff() throws Exception {
        apply("always", "Always", "ReadWriteOnce", " ferry.count=2");
        apply("rerun", "RerunOnFailure", "ReadWriteOnce", " ferry.count=2");
        apply("once", "Once", "ReadWriteOnce", " ferry.count=2");
        apply("manual", "Manual", "ReadWriteOnce", "");
        // the two that stop for good once their guest powers off
        awaitVm("rerun", "Stopped", BOOT.multipliedBy(2), vm -> vm.getStatus().created);
        assertThat(vmi("rerun").getStatus().phase).as("RerunOnFailure: a guest that powered off stays off").isEqualTo("Succeeded");
        awaitVm("once", "Stopped", BOOT.multipliedBy(2), vm -> "Halted".equals(vm.getSpec().runStrategy));
        // Always: a new VMI after the guest powered off
        String first = await().atMost(BOOT).until(() -> vmi("always"), v -> v != null && v.getMetadata().getUid() != null)
                .getMetadata().getUid();
        await().atMost(BOOT.multipliedBy(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            VirtualMachineInstance now = vmi("always");
            return now != null && !first.equals(now.getMetadata().getUid()) && now.getStatus() != null && VmiStatus.RUNNING.equals(now.getStatus().phase);
        });
        assertThat(ferry("stop", "always").exit()).isZero();
        // Manual: nothing until asked
        assertThat(vm("manual").getStatus().printableStatus).isEqualTo("Stopped");
        assertThat(vmi("manual")).isNull();
        assertThat(ferry("start", "manual").exit()).isZero();
        awaitVm("manual", "Running", BOOT);
        String before = vmi("manual").getMetadata().getUid();
        assertThat(ferry("restart", "manual").exit()).isZero();
        await().atMost(BOOT).pollInterval(Duration.ofMillis(500)).until(() -> {
            VirtualMachineInstance now = vmi("manual");
            return now != null && !before.equals(now.getMetadata().getUid()) && now.getStatus() != null && VmiStatus.RUNNING.equals(now.getStatus().phase);
        });
        assertThat(ferry("stop", "manual").exit()).isZero();
        awaitVm("manual", "Stopped", Duration.ofSeconds(60));
        awaitVm("always", "Stopped", Duration.ofSeconds(60));
    }

    @Test
    void aLauncherThatFailsPutsTheVmIntoCrashLoopBackOff() throws Exception {
        VirtualMachine vm = vmYaml("broken", "Always", "ReadWriteOnce", "");
        vm.getSpec().template.spec.domain.devices.disks.get(0).name = "no-such-volume";
        client.resource(vm).create();
        awaitVm("broken", "CrashLoopBackOff", BOOT);
        VirtualMachine now = vm("broken");
        assertThat(now.getStatus().startFailure.retries).isEqualTo(1);
        assertThat(now.getStatus().startFailure.retryAfterTimestamp).isNotNull();
        Path logs = local.kubeconfig().getParent().resolve("logs/default");
        try (var files = Files.list(logs)) {
            Path launcherLog = files.filter(p -> p.getFileName().toString().startsWith("virt-launcher-broken-")).findFirst().orElseThrow();
            assertThat(Files.readString(launcherLog)).contains("disk no-such-volume names no volume in spec.volumes");
        }
    }

    @Test
    void aVmOnABlockVolumeMovesLiveToAnotherLauncherAndACancelledMigrationLeavesItWhereItWas() throws Exception {
        client.resource(vmYaml("mover", "Always", "ReadWriteMany", "Block", "")).create();
        awaitVm("mover", "Running", BOOT);
        assertThat(ferry("console", "mover", "--until", "counter 2", "--timeout", "60s").exit()).isZero();
        String source = vmi("mover").getStatus().launcherPod;

        // cancelled: deleted before it could start
        VirtualMachineInstanceMigration cancelled = new VirtualMachineInstanceMigration();
        cancelled.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("cancelled").withNamespace("default").build());
        cancelled.setSpec(new VirtualMachineInstanceMigration.Spec());
        cancelled.getSpec().vmiName = "mover";
        client.resource(cancelled).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> vmi("mover").getStatus().migrationState != null);
        client.resource(cancelled).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(VirtualMachineInstanceMigration.class)
                .inNamespace("default").withName("cancelled").get() == null && client.pods().inNamespace("default").list().getItems()
                .stream().allMatch(p -> p.getMetadata().getName().equals(source)));
        VmiStatus stayed = vmi("mover").getStatus();
        assertThat(stayed.launcherPod).isEqualTo(source);
        assertThat(stayed.migrationState.failed).isTrue();
        assertThat(stayed.migrationState.abortRequested).isTrue();
        assertThat(stayed.phase).isEqualTo("Running");

        FerryTestAccess.Result migrate = ferry("migrate", "mover", "--wait", "--timeout", "90s");
        assertThat(migrate.exit()).as(migrate.err()).isZero();
        VmiStatus moved = vmi("mover").getStatus();
        assertThat(moved.launcherPod).isNotEqualTo(source);
        assertThat(moved.migrationState.completed).isTrue();
        assertThat(moved.migrationState.mode).isEqualTo("PreCopy");
        assertThat(moved.migrationState.startTimestamp).isNotNull();
        assertThat(moved.migrationState.endTimestamp).isNotNull();
        assertThat(moved.migrationState.downtimeMillis).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(migrate.out()).contains("migrated to " + moved.launcherPod)
                .containsPattern("virtualmachineinstancemigration kubevirt-migrate-vm-[a-z0-9]{5}\\)");
        awaitVm("mover", "Running", Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace("default").withName(source).get() == null);

        int lastOnSource = TestGuest.lastCounter(podDir(source).resolve("volumes/console/console.log"));
        Path targetConsole = podDir(moved.launcherPod).resolve("volumes/console/console.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> TestGuest.lastCounter(targetConsole) > lastOnSource);
        assertThat(TestGuest.firstCounter(targetConsole)).as("the counter goes on: memory moved").isBetween(lastOnSource, lastOnSource + 2);
        assertThat(ferry("stop", "mover").exit()).isZero();
        awaitVm("mover", "Stopped", Duration.ofSeconds(60));
        PersistentVolume pv = volume("mover-root");
        assertThat(pv.getSpec().getVolumeMode()).isEqualTo("Block");
        Path device = Path.of(pv.getMetadata().getAnnotations().get(dev.ferry.local.storage.LocalPathStorage.LOOP_DEVICE_ANNOTATION));
        byte[] head = new byte[12];
        try (var in = Files.newInputStream(device)) {
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
        }
        assertThat(new String(head, StandardCharsets.US_ASCII)).as("the guest wrote onto the loop device").isEqualTo("FERRY-MARKER");
    }

    private FerryTestAccess.Result ferry(String... args) {
        return FerryTestAccess.capture(local.kubeconfig(), args);
    }

    private void apply(String name, String strategy, String accessMode, String kernelArgs) throws IOException {
        client.resource(vmYaml(name, strategy, accessMode, kernelArgs)).create();
    }

    private static VirtualMachine vmYaml(String name, String strategy, String accessMode, String kernelArgs) throws IOException {
        return vmYaml(name, strategy, accessMode, "Filesystem", kernelArgs);
    }

    private static VirtualMachine vmYaml(String name, String strategy, String accessMode, String volumeMode, String kernelArgs)
            throws IOException {
        return TestVms.vm(name, "default", strategy, """
                        source:
                          blank: {}
                        storage:
                          accessModes: [%s]
                          volumeMode: %s
                          resources:
                            requests:
                              storage: 16Mi
                """.formatted(accessMode, volumeMode), kernelArgs);
    }

    private VirtualMachine vm(String name) {
        return client.resources(VirtualMachine.class).inNamespace("default").withName(name).get();
    }

    private VirtualMachineInstance vmi(String name) {
        return client.resources(VirtualMachineInstance.class).inNamespace("default").withName(name).get();
    }

    private void awaitVm(String name, String status, Duration timeout) {
        awaitVm(name, status, timeout, vm -> true);
    }

    private void awaitVm(String name, String status, Duration timeout, Predicate<VirtualMachine> and) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                VirtualMachine vm = vm(name);
                return vm != null && vm.getStatus() != null && status.equals(vm.getStatus().printableStatus) && and.test(vm);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("VM " + name + " did not become " + status + ": " + Serialization.asYaml(vm(name))
                    + Serialization.asYaml(vmi(name)), e);
        }
    }

    private Path podDir(String pod) throws IOException {
        try (var dirs = Files.list(local.kubeconfig().getParent().resolve("pods/default"))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith(pod + "-")).findFirst().orElseThrow();
        }
    }

    private Path disk(String claim) {
        return Path.of(volume(claim).getSpec().getLocal().getPath()).resolve("disk.img");
    }

    private PersistentVolume volume(String claim) {
        String volume = client.persistentVolumeClaims().inNamespace("default").withName(claim).get().getSpec().getVolumeName();
        return client.persistentVolumes().withName(volume).get();
    }
}
