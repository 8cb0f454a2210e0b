package dev.ferry.controllers.snapshot.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.controllers.snapshot.SnapshotClasses;
import dev.ferry.controllers.snapshot.SnapshotNames;
import dev.ferry.controllers.snapshot.SnapshotObserved;
import dev.ferry.controllers.snapshot.VmVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reads what a VirtualMachineSnapshot's decision needs: its VM, VMI, content, volumes and VolumeSnapshots. */
final class SnapshotObserver {
    private final KubernetesClient client;
    private final Clock clock;

    SnapshotObserver(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    SnapshotObserved observe(VirtualMachineSnapshot snapshot) {
        String namespace = snapshot.getMetadata().getNamespace();
        String source = snapshot.getSpec() == null || snapshot.getSpec().source == null ? null : snapshot.getSpec().source.name;
        VirtualMachine vm = source == null ? null : client.resources(VirtualMachine.class).inNamespace(namespace).withName(source).get();
        VirtualMachineInstance vmi = vm == null ? null
                : client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(source).get();
        VirtualMachineSnapshotContent content = client.resources(VirtualMachineSnapshotContent.class).inNamespace(namespace)
                .withName(SnapshotNames.content(snapshot)).get();
        Map<String, VolumeSnapshot> snapshots = new LinkedHashMap<>();
        if (content != null && content.getSpec().volumeBackups != null) {
            for (VirtualMachineSnapshotContent.VolumeBackup backup : content.getSpec().volumeBackups) {
                VolumeSnapshot vs = optional(() -> client.resources(VolumeSnapshot.class).inNamespace(namespace)
                        .withName(backup.volumeSnapshotName).get());
                if (vs != null) {
                    snapshots.put(backup.volumeSnapshotName, vs);
                }
            }
        }
        return new SnapshotObserved(snapshot, vm, vmi, content, vm == null ? List.of() : volumes(vm), snapshots, clock.instant(), null);
    }

    /** The VM's volumes with their claims, DataVolumes and snapshot classes. */
    List<VmVolume> volumes(VirtualMachine vm) {
        String namespace = vm.getMetadata().getNamespace();
        List<VmiSpec.Volume> volumes = vm.getSpec().template == null || vm.getSpec().template.spec == null
                || vm.getSpec().template.spec.volumes == null ? List.of() : vm.getSpec().template.spec.volumes;
        List<VolumeSnapshotClass> classes = null;
        List<VmVolume> seen = new ArrayList<>();
        for (VmiSpec.Volume volume : volumes) {
            VmVolume.Kind kind = VmVolume.kind(volume);
            String claimName = VmVolume.claimName(volume);
            if (claimName == null) {
                seen.add(new VmVolume(volume.name, kind, null, null, null, null, null));
                continue;
            }
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
            DataVolume dv = kind == VmVolume.Kind.DATA_VOLUME
                    ? client.resources(DataVolume.class).inNamespace(namespace).withName(claimName).get() : null;
            String className = claim == null ? null : claim.getSpec().getStorageClassName();
            if (classes == null) {
                List<VolumeSnapshotClass> listed = optional(() -> client.resources(VolumeSnapshotClass.class).list().getItems());
                classes = listed == null ? List.of() : listed;
            }
            StorageClass sc = className == null ? null : client.storage().v1().storageClasses().withName(className).get();
            StorageProfile profile = className == null ? null : optional(() -> client.resources(StorageProfile.class).withName(className).get());
            SnapshotClasses.Choice choice = claim == null ? new SnapshotClasses.Choice(null, "claim " + claimName + " does not exist")
                    : SnapshotClasses.choose(volume.name, className, sc, profile, classes);
            seen.add(new VmVolume(volume.name, kind, claimName, claim, dv, choice.name(), choice.reason()));
        }
        return seen;
    }

    /** A read of an API the cluster may not serve (the snapshot API, CDI's profiles): null when it does not. */
    static <T> T optional(Supplier<T> read) {
        try {
            return read.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw e;
        }
    }
}
