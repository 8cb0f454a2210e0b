package dev.ferry.controllers.snapshot;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM as snapshots meet it — a DataVolume template root disk, a claim data disk, a containerDisk
 * and a cloud-init disk — with its claims, VMI, snapshot, content and VolumeSnapshots as the API
 * server would hand them to a decision.
 */
final class SnapshotFixtures {
    static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    static final String UID = "0f0e0d0c-aaaa-bbbb-cccc-000000000001";

    private SnapshotFixtures() {
    }

    static VirtualMachine vm() {
        VirtualMachine vm = Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: web
                  namespace: vms
                  uid: vm-uid-web
                  labels: {app: web, team: blue}
                  annotations: {owner: alice, "kubevirt.io/latest-observed-api-version": v1}
                  finalizers: [kubevirt.io/virtualMachineControllerFinalize]
                spec:
                  runStrategy: Always
                  dataVolumeTemplates:
                    - metadata: {name: web-root}
                      spec:
                        source: {http: {url: "http://images.example/fedora.qcow2"}}
                        storage: {resources: {requests: {storage: 4Gi}}, storageClassName: fast}
                  template:
                    metadata:
                      labels: {kubevirt.io/domain: web, tier: front}
                    spec:
                      domain:
                        devices:
                          disks: [{name: root, disk: {}}, {name: data, disk: {}}, {name: cd, disk: {}}, {name: cloudinit, disk: {}}]
                          interfaces: [{name: default, macAddress: "02:00:00:00:00:01", masquerade: {}}]
                        firmware: {serial: SERIAL-WEB, uuid: 5d307ca9-b3ef-428c-8861-06e72d69f223}
                      networks: [{name: default, pod: {}}]
                      volumes:
                        - {name: root, dataVolume: {name: web-root}}
                        - {name: data, persistentVolumeClaim: {claimName: web-data}}
                        - {name: cd, containerDisk: {image: "registry.example/tools:1"}}
                        - {name: cloudinit, cloudInitNoCloud: {userData: "#cloud-config"}}
                """, VirtualMachine.class);
        vm.setStatus(new VmStatus());
        return vm;
    }

    static PersistentVolumeClaim claim(String name, String phase, String storageClass) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("vms").withUid("uid-" + name)
                .addToLabels("app", "web").addToAnnotations("pv.kubernetes.io/bind-completed", "yes")
                .addToAnnotations("cdi.kubevirt.io/storage.contentType", "kubevirt").addToAnnotations("cdi.kubevirt.io/storage.import.endpoint", "x")
                .addToAnnotations("note", "kept").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(storageClass).withVolumeMode("Filesystem")
                .withNewResources().addToRequests("storage", new Quantity("4Gi")).endResources().withVolumeName("pv-" + name).endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    static DataVolume dataVolume(String name, String phase) {
        DataVolume dv = new DataVolume();
        dv.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        dv.setStatus(new DataVolumeStatus());
        dv.getStatus().phase = phase;
        return dv;
    }

    /** The VM's volumes: root and data snapshottable with class {@code snapClass} (null: not), cd and cloudinit not claims. */
    static List<VmVolume> volumes(String snapClass, String claimPhase) {
        String reason = snapClass == null ? "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [fast] [data]" : null;
        return List.of(new VmVolume("root", VmVolume.Kind.DATA_VOLUME, "web-root", claim("web-root", claimPhase, "fast"),
                        dataVolume("web-root", "Succeeded"), snapClass, reason),
                new VmVolume("data", VmVolume.Kind.CLAIM, "web-data", claim("web-data", claimPhase, "fast"), null, snapClass, reason),
                new VmVolume("cd", VmVolume.Kind.OTHER, null, null, null, null, null),
                new VmVolume("cloudinit", VmVolume.Kind.OTHER, null, null, null, null, null));
    }

    /** The VM's running VMI; {@code agent}: AgentConnected; {@code paused}: Paused. */
    static VirtualMachineInstance vmi(VirtualMachine vm, boolean agent, boolean paused) {
        VirtualMachineInstance vmi = new VirtualMachineInstance();
        vmi.setMetadata(new ObjectMetaBuilder().withName(vm.getMetadata().getName()).withNamespace("vms").withUid("vmi-uid").build());
        vmi.setSpec(vm.getSpec().template.spec);
        vmi.setStatus(new VmiStatus());
        vmi.getStatus().phase = VmiStatus.RUNNING;
        vmi.getStatus().launcherPod = "virt-launcher-web-abcde";
        vmi.getStatus().conditions = new ArrayList<>(List.of(new VmiStatus.Condition("Ready", paused ? "False" : "True", null, null)));
        if (agent) {
            vmi.getStatus().conditions.add(new VmiStatus.Condition(VmiStatus.AGENT_CONNECTED, "True", null, null));
        }
        if (paused) {
            vmi.getStatus().conditions.add(new VmiStatus.Condition("Paused", "True", "PausedByUser", null));
        }
        return vmi;
    }

    static VirtualMachineSnapshot snapshot(String deadline) {
        VirtualMachineSnapshot snapshot = new VirtualMachineSnapshot();
        snapshot.setMetadata(new ObjectMetaBuilder().withName("before-upgrade").withNamespace("vms").withUid(UID)
                .withCreationTimestamp(NOW.minusSeconds(10).toString()).withFinalizers(SnapshotNames.SNAPSHOT_FINALIZER).build());
        snapshot.setSpec(new VirtualMachineSnapshot.Spec());
        snapshot.getSpec().source = ObjectReference.virtualMachine("web");
        snapshot.getSpec().failureDeadline = deadline;
        return snapshot;
    }

    /** The VM held by the snapshot (status.snapshotInProgress and the source finalizer). */
    static VirtualMachine locked(VirtualMachine vm) {
        vm.getStatus().snapshotInProgress = "before-upgrade";
        vm.getMetadata().getFinalizers().add(SnapshotNames.SOURCE_FINALIZER);
        return vm;
    }

    static SnapshotObserved observed(VirtualMachineSnapshot snapshot, VirtualMachine vm, VirtualMachineInstance vmi,
            VirtualMachineSnapshotContent content, List<VmVolume> volumes, Map<String, VolumeSnapshot> snapshots) {
        return new SnapshotObserved(snapshot, vm, vmi, content, volumes, snapshots, NOW, null);
    }

    /** The content the decision writes for this snapshot, as stored (uid set). */
    static VirtualMachineSnapshotContent content(VirtualMachineSnapshot snapshot, VirtualMachine vm) {
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot, locked(vm), null, null, volumes("local-snapshots", "Bound"), Map.of()));
        VirtualMachineSnapshotContent content = plan.createContent();
        content.getMetadata().setUid("content-uid");
        return content;
    }

    static VolumeSnapshot volumeSnapshot(String name, String creationTime, Boolean ready, String error) {
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        vs.setStatus(new VolumeSnapshot.Status());
        vs.getStatus().creationTime = creationTime;
        vs.getStatus().readyToUse = ready;
        vs.getStatus().restoreSize = new Quantity("5Gi");
        if (error != null) {
            vs.getStatus().error = new VolumeSnapshot.SnapshotError();
            vs.getStatus().error.message = error;
        }
        return vs;
    }

    /** Every VolumeSnapshot of the content, cut ({@code creationTime}) and ready or not. */
    static Map<String, VolumeSnapshot> volumeSnapshots(VirtualMachineSnapshotContent content, boolean cut, boolean ready) {
        Map<String, VolumeSnapshot> all = new LinkedHashMap<>();
        for (VirtualMachineSnapshotContent.VolumeBackup backup : content.getSpec().volumeBackups) {
            all.put(backup.volumeSnapshotName, volumeSnapshot(backup.volumeSnapshotName, cut ? NOW.minusSeconds(1).toString() : null,
                    ready, null));
        }
        return all;
    }

    static VirtualMachineRestore restore(String target, String policy) {
        VirtualMachineRestore restore = new VirtualMachineRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName("rollback").withNamespace("vms").withUid("restore-uid")
                .withCreationTimestamp(NOW.minusSeconds(30).toString()).withFinalizers(SnapshotNames.RESTORE_FINALIZER).build());
        restore.setSpec(new VirtualMachineRestore.Spec());
        restore.getSpec().target = ObjectReference.virtualMachine(target);
        restore.getSpec().virtualMachineSnapshotName = "before-upgrade";
        restore.getSpec().volumeRestorePolicy = policy;
        restore.setStatus(new VirtualMachineRestore.Status());
        restore.getStatus().complete = false;
        return restore;
    }
}
