package dev.ferry.controllers.vm.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.migration.k8s.MigrationReconciler;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.testing.TestClock;
import dev.ferry.controllers.testing.VmTesting;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.controllers.vm.RunStrategy;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.controllers.vmi.k8s.VmiReconciler;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The VM, VMI and migration reconcilers against the fabric8 CRUD mock API server, one step at a time, with a test clock. */
@EnableKubernetesMockClient(crud = true)
class VmReconcilerTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    /** Whether the mock API server refuses every SubjectAccessReview (static: its expectations outlive a test). */
    private static final java.util.concurrent.atomic.AtomicBoolean DENY_ALL = new java.util.concurrent.atomic.AtomicBoolean();
    private final TestClock clock = new TestClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final VmSettings settings = Settings.vms();
    private VmReconciler vms;
    private VmiReconciler vmis;
    private MigrationReconciler migrations;

    @BeforeEach
    void setUp() throws Exception {
        Cluster.installCrds(client);
        vms = new VmReconciler(client, clock);
        vmis = new VmiReconciler(client, settings, clock, Settings.suffixes());
        migrations = new MigrationReconciler(client, settings, clock, Settings.suffixes());
    }

    @Test
    void theBackOffIsKubeVirts() {
        assertThat(RunStrategy.backoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(RunStrategy.backoff(2)).isEqualTo(Duration.ofSeconds(40));
        assertThat(RunStrategy.backoff(5)).isEqualTo(Duration.ofSeconds(250));
        assertThat(RunStrategy.backoff(6)).isEqualTo(Duration.ofSeconds(300));
        assertThat(RunStrategy.backoff(100)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void aTemplateCloningFromAnotherNamespaceIsCreatedOnlyWhenTheVmsServiceAccountMayReadIt() {
        // the API server's answer: only vms:default may create pods in golden-images (enough to clone a claim)
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, request -> {
            String body = request.getBody().readUtf8();
            boolean allowed = body.contains("\"system:serviceaccount:vms:default\"") && body.contains("\"system:serviceaccounts:vms\"")
                    && body.contains("\"resource\":\"pods\"") && body.contains("\"namespace\":\"golden-images\"")
                    && !DENY_ALL.get();
            return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"status\":{\"allowed\":"
                    + allowed + "}}";
        }).always();
        VirtualMachine vm = VmTesting.vm("cloned", "Halted", "ReadWriteOnce");
        var template = vm.getSpec().dataVolumeTemplates.get(0).spec;
        template.source = new dev.ferry.api.cdi.v1beta1.DataVolumeSource();
        template.source.pvc = new dev.ferry.api.cdi.v1beta1.DataVolumeSource.ObjectRef();
        template.source.pvc.namespace = "golden-images";
        template.source.pvc.name = "fedora";
        client.resource(vm).create();
        DENY_ALL.set(true);
        vms.reconcile("vms", "cloned");
        DENY_ALL.set(false);
        assertThat(client.resources(DataVolume.class).inNamespace("vms").withName("cloned-root").get()).isNull();
        assertThat(client.v1().events().inNamespace("vms").list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("UnauthorizedDataVolumeCreate");
            assertThat(e.getMessage()).isEqualTo("User system:serviceaccount:vms:default has insufficient permissions in clone source"
                    + " namespace golden-images");
        });

        vms.reconcile("vms", "cloned");
        assertThat(client.resources(DataVolume.class).inNamespace("vms").withName("cloned-root").get()).isNotNull();
    }

    @Test
    void runningAndRunStrategyTogetherAreRefusedWithAReason() {
        VirtualMachine vm = VmTesting.vm("both", "Always", "ReadWriteOnce");
        vm.getSpec().running = true;
        client.resource(vm).create();
        vms.reconcile("vms", "both");
        VirtualMachine after = get("both");
        assertThat(after.getStatus().printableStatus).isEqualTo("Stopped");
        assertThat(after.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Failure");
            assertThat(c.reason).isEqualTo("InvalidRunStrategy");
            assertThat(c.message).contains("mutually exclusive");
        });
        assertThat(vmi("both")).isNull();
    }

    @Test
    void aVmRestoredIntoAnotherNamespaceAskingForANewIdentityGetsNewMacsAndFirmwareUuidBeforeItsVmi() {
        VirtualMachine vm = VmTesting.vm("copy", "Always", "ReadWriteOnce");
        var iface = new dev.ferry.api.kubevirt.v1.VmiSpec.Interface();
        iface.name = "default";
        iface.macAddress = "02:00:00:00:00:01";
        vm.getSpec().template.spec.domain.devices.interfaces = new java.util.ArrayList<>(java.util.List.of(iface));
        vm.getSpec().template.spec.domain.firmware = new dev.ferry.api.kubevirt.v1.VmiSpec.Firmware();
        vm.getSpec().template.spec.domain.firmware.uuid = "5d307ca9-b3ef-428c-8861-06e72d69f223";
        vm.getMetadata().setLabels(new java.util.HashMap<>(java.util.Map.of("app", "web",
                "velero.kubevirt.io/clear-mac-address", "true", "velero.kubevirt.io/generate-new-firmware-uuid", "true")));
        client.resource(vm).create();

        vms.reconcile("vms", "copy");
        VirtualMachine renewed = get("copy");
        assertThat(vmi("copy")).as("the new identity first").isNull();
        assertThat(renewed.getMetadata().getLabels()).containsOnlyKeys("app");
        assertThat(renewed.getSpec().template.spec.domain.devices.interfaces.get(0).macAddress).isNull();
        String uuid = renewed.getSpec().template.spec.domain.firmware.uuid;
        assertThat(uuid).isNotEqualTo("5d307ca9-b3ef-428c-8861-06e72d69f223").matches("[0-9a-f-]{36}");
        assertThat(client.v1().events().inNamespace("vms").list().getItems()).anySatisfy(e ->
                assertThat(e.getMessage()).isEqualTo("restored: MAC addresses cleared, new firmware UUID " + uuid));

        vms.reconcile("vms", "copy");
        VmTesting.dataVolumeSucceeded(client, "vms", "copy-root", "ReadWriteOnce");
        vms.reconcile("vms", "copy");
        VirtualMachineInstance started = vmi("copy");
        assertThat(started.getSpec().domain.firmware.uuid).isEqualTo(uuid);
        assertThat(started.getSpec().domain.devices.interfaces.get(0).macAddress).isNull();
    }

    @Test
    void theVmiWaitsForItsDataVolumesThenGetsALauncherPodWithItsClaims() {
        client.resource(VmTesting.vm("web", "Always", "ReadWriteOnce")).create();
        vms.reconcile("vms", "web");
        assertThat(get("web").getStatus().printableStatus).isEqualTo("Provisioning");
        assertThat(client.resources(dev.ferry.api.cdi.v1beta1.DataVolume.class).inNamespace("vms").withName("web-root").get()
                .getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("VirtualMachine"));
        assertThat(vmi("web")).isNull();

        VmTesting.dataVolumeSucceeded(client, "vms", "web-root", "ReadWriteOnce");
        vms.reconcile("vms", "web");
        assertThat(get("web").getStatus().printableStatus).isEqualTo("Starting");
        assertThat(vmi("web").getMetadata().getLabels()).containsEntry("kubevirt.io/domain", "web");
        vmis.reconcile("vms", "web");
        VirtualMachineInstance vmi = vmi("web");
        assertThat(vmi.getStatus().phase).isEqualTo("Scheduling");
        assertThat(vmi.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("LiveMigratable");
            assertThat(c.status).isEqualTo("False");
            assertThat(c.reason).isEqualTo("DisksNotLiveMigratable");
        });
        Pod pod = client.pods().inNamespace("vms").withName(vmi.getStatus().launcherPod).get();
        assertThat(pod.getMetadata().getLabels()).containsEntry("kubevirt.io", "virt-launcher")
                .containsEntry(LauncherPodBuilder.LABEL_CREATED_BY, vmi.getMetadata().getUid());
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("web-root"));
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName)
                .contains("FERRY_VMI_JSON", "FERRY_VOLUME_ROOT", "FERRY_CONSOLE_LOG");
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/run/kubevirt-private/vmi-disks/root"));

        Cluster.running(client, pod, "10.0.0.7", true);
        pod = client.pods().inNamespace("vms").withName(pod.getMetadata().getName()).get();
        pod.getSpec().setNodeName("node-a");
        client.resource(pod).update();
        vmis.reconcile("vms", "web");
        assertThat(vmi("web").getStatus().phase).isEqualTo("Scheduled");
        assertThat(vmi("web").getStatus().nodeName).isEqualTo("node-a");

        // a migration of a ReadWriteOnce disk is refused with the condition's reason
        VmTesting.vmiRunning(client, "vms", "web");
        migrate("web", "move-web");
        migrations.reconcile("vms", "move-web");
        VirtualMachineInstanceMigration refused = client.resources(VirtualMachineInstanceMigration.class).inNamespace("vms")
                .withName("move-web").get();
        assertThat(refused.getStatus().phase).isEqualTo("Failed");
        assertThat(refused.getStatus().conditions.get(0).reason).isEqualTo("DisksNotLiveMigratable");
        assertThat(client.pods().inNamespace("vms").withLabel(LauncherPodBuilder.LABEL_MIGRATION).list().getItems()).isEmpty();
    }

    @Test
    void aVmiWithAnEmptyDiskIsNotLiveMigratableEvenOnReadWriteMany() {
        client.resource(VmTesting.vm("scratchy", "Always", "ReadWriteMany")).create();
        vms.reconcile("vms", "scratchy");
        VmTesting.dataVolumeSucceeded(client, "vms", "scratchy-root", "ReadWriteMany");
        client.resources(VirtualMachine.class).inNamespace("vms").withName("scratchy").edit(vm -> {
            var disk = new dev.ferry.api.kubevirt.v1.VmiSpec.Disk();
            disk.name = "scratch";
            vm.getSpec().template.spec.domain.devices.disks.add(disk);
            var volume = new dev.ferry.api.kubevirt.v1.VmiSpec.Volume();
            volume.name = "scratch";
            volume.emptyDisk = new dev.ferry.api.kubevirt.v1.VmiSpec.EmptyDisk();
            volume.emptyDisk.capacity = new io.fabric8.kubernetes.api.model.Quantity("1Gi");
            vm.getSpec().template.spec.volumes.add(volume);
            return vm;
        });
        vms.reconcile("vms", "scratchy");
        vmis.reconcile("vms", "scratchy");
        assertThat(vmi("scratchy").getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("LiveMigratable");
            assertThat(c.status).isEqualTo("False");
            assertThat(c.message).contains("scratch").contains("emptyDisk");
        });
    }

    @Test
    void aFailedVmiIsRestartedAfterKubeVirtsBackOff() {
        client.resource(VmTesting.vm("crash", "Always", "ReadWriteOnce")).create();
        vms.reconcile("vms", "crash");
        VmTesting.dataVolumeSucceeded(client, "vms", "crash-root", "ReadWriteOnce");
        vms.reconcile("vms", "crash");
        vmis.reconcile("vms", "crash");
        for (int failure = 1; failure <= 2; failure++) {
            VirtualMachineInstance vmi = vmi("crash");
            Pod pod = client.pods().inNamespace("vms").withName(vmi.getStatus().launcherPod).get();
            Cluster.terminated(client, pod, false, "{\"outcome\":\"Failed\",\"reason\":\"LauncherError\",\"message\":\"no kernel\"}",
                    clock.instant());
            vmis.reconcile("vms", "crash");
            assertThat(vmi("crash").getStatus().phase).isEqualTo("Failed");
            assertThat(vmi("crash").getStatus().reason).isEqualTo("LauncherError");
            vms.reconcile("vms", "crash");
            VirtualMachine vm = get("crash");
            assertThat(vm.getStatus().printableStatus).isEqualTo("CrashLoopBackOff");
            assertThat(vm.getStatus().startFailure.retries).isEqualTo(failure);
            // the failed VMI goes (its finalizer once its Pod is gone), and no new one before the back-off ends
            client.resource(pod).delete();
            vmis.reconcile("vms", "crash");
            assertThat(vmi("crash")).isNull();
            Duration wait = vms.reconcile("vms", "crash");
            assertThat(wait).isBetween(RunStrategy.backoff(failure).minusSeconds(1), RunStrategy.backoff(failure).plusSeconds(1));
            assertThat(vmi("crash")).isNull();
            clock.advance(RunStrategy.backoff(failure).plusSeconds(1));
            vms.reconcile("vms", "crash");
            assertThat(vmi("crash")).as("started again after the back-off").isNotNull();
            vmis.reconcile("vms", "crash");
        }
    }

    @Test
    void stopAndStartRequestsDriveAManualVm() {
        client.resource(VmTesting.vm("manual", "Manual", "ReadWriteOnce")).create();
        vms.reconcile("vms", "manual");
        VmTesting.dataVolumeSucceeded(client, "vms", "manual-root", "ReadWriteOnce");
        vms.reconcile("vms", "manual");
        assertThat(get("manual").getStatus().printableStatus).isEqualTo("Stopped");
        assertThat(vmi("manual")).isNull();
        request("manual", new dev.ferry.api.kubevirt.v1.VmStatus.StateChangeRequest("Start", null));
        vms.reconcile("vms", "manual");
        assertThat(vmi("manual")).isNotNull();
        assertThat(get("manual").getStatus().stateChangeRequests).as("the request is done").isNull();
        String uid = vmi("manual").getMetadata().getUid();
        request("manual", new dev.ferry.api.kubevirt.v1.VmStatus.StateChangeRequest("Stop", uid));
        vms.reconcile("vms", "manual");
        assertThat(get("manual").getStatus().printableStatus).isEqualTo("Stopping");
        vmis.reconcile("vms", "manual");
        assertThat(vmi("manual")).isNull();
        vms.reconcile("vms", "manual");
        vms.reconcile("vms", "manual");
        assertThat(get("manual").getStatus().printableStatus).isEqualTo("Stopped");
        assertThat(vmi("manual")).as("Manual: no restart after a stop").isNull();
    }

    private void request(String name, dev.ferry.api.kubevirt.v1.VmStatus.StateChangeRequest request) {
        client.resources(VirtualMachine.class).inNamespace("vms").withName(name).editStatus(vm -> {
            var queued = new java.util.ArrayList<>(vm.getStatus().stateChangeRequests == null ? java.util.List.of()
                    : vm.getStatus().stateChangeRequests);
            queued.add(request);
            vm.getStatus().stateChangeRequests = queued;
            return vm;
        });
    }

    private void migrate(String vmi, String name) {
        VirtualMachineInstanceMigration m = new VirtualMachineInstanceMigration();
        m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        m.setSpec(new VirtualMachineInstanceMigration.Spec());
        m.getSpec().vmiName = vmi;
        client.resource(m).create();
    }

    private VirtualMachine get(String name) {
        return client.resources(VirtualMachine.class).inNamespace("vms").withName(name).get();
    }

    private VirtualMachineInstance vmi(String name) {
        return client.resources(VirtualMachineInstance.class).inNamespace("vms").withName(name).get();
    }

    static String phase(VirtualMachineInstance vmi) {
        return vmi.getStatus() == null ? VmiStatus.PENDING : vmi.getStatus().phase;
    }
}
