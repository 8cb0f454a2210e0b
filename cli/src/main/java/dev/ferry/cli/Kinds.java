package dev.ferry.cli;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.Locale;
import java.util.Map;

/** The resource names {@code ferry get/delete/wait} accept, as kubectl spells them. */
final class Kinds {
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("dv", DataVolume.class), Map.entry("datavolume", DataVolume.class), Map.entry("datavolumes", DataVolume.class),
            Map.entry("das", DataSource.class), Map.entry("datasource", DataSource.class), Map.entry("datasources", DataSource.class),
            Map.entry("dic", DataImportCron.class), Map.entry("dics", DataImportCron.class),
            Map.entry("dataimportcron", DataImportCron.class), Map.entry("dataimportcrons", DataImportCron.class),
            Map.entry("vs", VolumeSnapshot.class), Map.entry("volumesnapshot", VolumeSnapshot.class),
            Map.entry("volumesnapshots", VolumeSnapshot.class),
            Map.entry("vsc", VolumeSnapshotContent.class), Map.entry("volumesnapshotcontent", VolumeSnapshotContent.class),
            Map.entry("volumesnapshotcontents", VolumeSnapshotContent.class),
            Map.entry("volumesnapshotclass", VolumeSnapshotClass.class), Map.entry("volumesnapshotclasses", VolumeSnapshotClass.class),
            Map.entry("storageprofile", StorageProfile.class), Map.entry("storageprofiles", StorageProfile.class),
            Map.entry("pvc", PersistentVolumeClaim.class), Map.entry("persistentvolumeclaim", PersistentVolumeClaim.class),
            Map.entry("persistentvolumeclaims", PersistentVolumeClaim.class),
            Map.entry("ns", Namespace.class), Map.entry("namespace", Namespace.class), Map.entry("namespaces", Namespace.class),
            Map.entry("pv", PersistentVolume.class), Map.entry("persistentvolume", PersistentVolume.class),
            Map.entry("persistentvolumes", PersistentVolume.class),
            Map.entry("pod", Pod.class), Map.entry("pods", Pod.class), Map.entry("po", Pod.class),
            Map.entry("svc", Service.class), Map.entry("service", Service.class), Map.entry("services", Service.class),
            Map.entry("secret", Secret.class), Map.entry("secrets", Secret.class),
            Map.entry("cm", ConfigMap.class), Map.entry("configmap", ConfigMap.class), Map.entry("configmaps", ConfigMap.class),
            Map.entry("sc", StorageClass.class), Map.entry("storageclass", StorageClass.class),
            Map.entry("storageclasses", StorageClass.class),
            Map.entry("event", Event.class), Map.entry("events", Event.class), Map.entry("ev", Event.class),
            Map.entry("vm", VirtualMachine.class), Map.entry("vms", VirtualMachine.class),
            Map.entry("virtualmachine", VirtualMachine.class), Map.entry("virtualmachines", VirtualMachine.class),
            Map.entry("vmi", VirtualMachineInstance.class), Map.entry("vmis", VirtualMachineInstance.class),
            Map.entry("virtualmachineinstance", VirtualMachineInstance.class),
            Map.entry("virtualmachineinstances", VirtualMachineInstance.class),
            Map.entry("vmim", VirtualMachineInstanceMigration.class), Map.entry("vmims", VirtualMachineInstanceMigration.class),
            Map.entry("virtualmachineinstancemigration", VirtualMachineInstanceMigration.class),
            Map.entry("virtualmachineinstancemigrations", VirtualMachineInstanceMigration.class),
            Map.entry("vmsnapshot", VirtualMachineSnapshot.class), Map.entry("vmsnapshots", VirtualMachineSnapshot.class),
            Map.entry("virtualmachinesnapshot", VirtualMachineSnapshot.class),
            Map.entry("virtualmachinesnapshots", VirtualMachineSnapshot.class),
            Map.entry("vmsnapshotcontent", VirtualMachineSnapshotContent.class),
            Map.entry("vmsnapshotcontents", VirtualMachineSnapshotContent.class),
            Map.entry("virtualmachinesnapshotcontent", VirtualMachineSnapshotContent.class),
            Map.entry("virtualmachinesnapshotcontents", VirtualMachineSnapshotContent.class),
            Map.entry("vmrestore", VirtualMachineRestore.class), Map.entry("vmrestores", VirtualMachineRestore.class),
            Map.entry("virtualmachinerestore", VirtualMachineRestore.class), Map.entry("virtualmachinerestores", VirtualMachineRestore.class),
            Map.entry("vmclone", VirtualMachineClone.class), Map.entry("vmclones", VirtualMachineClone.class),
            Map.entry("virtualmachineclone", VirtualMachineClone.class), Map.entry("virtualmachineclones", VirtualMachineClone.class),
            Map.entry("vmexport", dev.ferry.api.export.v1beta1.VirtualMachineExport.class),
            Map.entry("vmexports", dev.ferry.api.export.v1beta1.VirtualMachineExport.class),
            Map.entry("virtualmachineexport", dev.ferry.api.export.v1beta1.VirtualMachineExport.class),
            Map.entry("virtualmachineexports", dev.ferry.api.export.v1beta1.VirtualMachineExport.class),
            Map.entry("vmss", VirtualMachineSnapshotSchedule.class), Map.entry("vmsnapshotschedule", VirtualMachineSnapshotSchedule.class),
            Map.entry("vmsnapshotschedules", VirtualMachineSnapshotSchedule.class),
            Map.entry("virtualmachinesnapshotschedule", VirtualMachineSnapshotSchedule.class),
            Map.entry("virtualmachinesnapshotschedules", VirtualMachineSnapshotSchedule.class),
            Map.entry("snapshotschedule", SnapshotSchedule.class), Map.entry("snapshotschedules", SnapshotSchedule.class));

    private Kinds() {
    }

    static Class<? extends HasMetadata> of(String name) {
        Class<? extends HasMetadata> kind = KINDS.get(name.toLowerCase(Locale.ROOT));
        if (kind == null) {
            throw new IllegalArgumentException("unknown resource type '" + name + "'; try dv, vm, vmi, vmim, vmsnapshot, vmrestore, vmclone, vmexport, vmss, snapshotschedules, pvc, pod, pv, das, dic, vs, sc, svc, ns, events");
        }
        return kind;
    }

    /** The apiVersion and kind of everything ferry knows, sorted: what an unknown kind's error lists. */
    static String served() {
        return KINDS.values().stream().distinct().map(k -> HasMetadata.getApiVersion(k) + " " + HasMetadata.getKind(k)).sorted()
                .collect(java.util.stream.Collectors.joining(", ")) + " (kubevirt.io also as v1alpha3)";
    }

    /** Whether objects of {@code kind} live outside namespaces: the model says so (namespaced kinds implement {@link Namespaced}). */
    static boolean clusterScoped(Class<? extends HasMetadata> kind) {
        return !Namespaced.class.isAssignableFrom(kind);
    }
}
