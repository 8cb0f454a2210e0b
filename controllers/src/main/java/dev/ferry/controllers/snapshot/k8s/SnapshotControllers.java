package dev.ferry.controllers.snapshot.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.controllers.snapshot.SnapshotNames;
import dev.ferry.controllers.vmclone.VmCloneDecision;
import dev.ferry.controllers.vmclone.k8s.VmCloneReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The snapshot, restore and VM clone controllers and what wakes each: a snapshot by its VM, VMI,
 * content and VolumeSnapshots; a restore by its target VM and VMI, its snapshot, and the claims and
 * DataVolumes it made; a clone by its temporary snapshot and restore, its source snapshot and its
 * target VM.
 */
public final class SnapshotControllers {
    private SnapshotControllers() {
    }

    public static InformerController<VirtualMachineSnapshot> snapshots(KubernetesClient client, Clock clock) {
        return new InformerController<VirtualMachineSnapshot>("ferry-vmsnapshots",
                c -> c.resources(VirtualMachineSnapshot.class).inAnyNamespace(), new SnapshotReconciler(client, clock))
                .watch(c -> c.resources(VirtualMachine.class).inAnyNamespace(), (vm, store) -> bySource(store, vm))
                .watch(c -> c.resources(VirtualMachineInstance.class).inAnyNamespace(), (vmi, store) -> bySource(store, vmi))
                .watch(c -> c.resources(VirtualMachineSnapshotContent.class).inAnyNamespace(), (content, store) ->
                        content.getSpec() == null || content.getSpec().virtualMachineSnapshotName == null ? List.of()
                                : List.of(new ObjectKey(content.getMetadata().getNamespace(), content.getSpec().virtualMachineSnapshotName)))
                .watchIfServed(c -> c.resources(VolumeSnapshot.class).inAnyNamespace().withLabel(SnapshotNames.LABEL_SOURCE_VM_NAME),
                        (vs, store) -> store.list().stream().filter(s -> vs.getMetadata().getName()
                                .startsWith("vmsnapshot-" + s.getMetadata().getUid() + "-volume-")).map(ObjectKey::of).toList());
    }

    public static InformerController<VirtualMachineRestore> restores(KubernetesClient client, Clock clock) {
        Function<HasMetadata, Collection<ObjectKey>> byAnnotation = object -> {
            Map<String, String> annotations = object.getMetadata().getAnnotations();
            String restore = annotations == null ? null : annotations.get(SnapshotNames.ANN_RESTORE_NAME);
            return restore == null ? List.of() : List.of(new ObjectKey(object.getMetadata().getNamespace(), restore));
        };
        return new InformerController<VirtualMachineRestore>("ferry-vmrestores",
                c -> c.resources(VirtualMachineRestore.class).inAnyNamespace(), new RestoreReconciler(client, clock))
                .watch(c -> c.resources(VirtualMachine.class).inAnyNamespace(), (vm, store) -> byTarget(store, vm))
                .watch(c -> c.resources(VirtualMachineInstance.class).inAnyNamespace(), (vmi, store) -> byTarget(store, vmi))
                .watch(c -> c.resources(VirtualMachineSnapshot.class).inAnyNamespace(), (snapshot, store) -> store.list().stream()
                        .filter(r -> same(r, snapshot) && r.getSpec() != null
                                && snapshot.getMetadata().getName().equals(r.getSpec().virtualMachineSnapshotName))
                        .map(ObjectKey::of).toList())
                .watch(c -> c.persistentVolumeClaims().inAnyNamespace(), (pvc, store) -> byAnnotation.apply(pvc))
                .watch(c -> c.resources(DataVolume.class).inAnyNamespace(), (dv, store) -> byAnnotation.apply(dv));
    }

    public static InformerController<VirtualMachineClone> clones(KubernetesClient client, Clock clock, Supplier<String> suffixes) {
        return new InformerController<VirtualMachineClone>("ferry-vmclones",
                c -> c.resources(VirtualMachineClone.class).inAnyNamespace(), new VmCloneReconciler(client, clock, suffixes))
                .watch(c -> c.resources(VirtualMachineSnapshot.class).inAnyNamespace(), (snapshot, store) -> store.list().stream()
                        .filter(clone -> same(clone, snapshot) && snapshot.getMetadata().getName().equals(VmCloneDecision.snapshotInUse(clone)))
                        .map(ObjectKey::of).toList())
                .watch(c -> c.resources(VirtualMachineRestore.class).inAnyNamespace().withLabel(SnapshotNames.LABEL_CLONE),
                        (restore, store) -> List.of(new ObjectKey(restore.getMetadata().getNamespace(),
                                restore.getMetadata().getLabels().get(SnapshotNames.LABEL_CLONE))))
                .watch(c -> c.resources(VirtualMachine.class).inAnyNamespace(), (vm, store) -> store.list().stream()
                        .filter(clone -> same(clone, vm) && clone.getStatus() != null
                                && vm.getMetadata().getName().equals(clone.getStatus().targetName))
                        .map(ObjectKey::of).toList());
    }

    /** The snapshots in the namespace of {@code vm} (a VM or its VMI) whose source it is. */
    private static Collection<ObjectKey> bySource(Store<VirtualMachineSnapshot> store, HasMetadata vm) {
        return store.list().stream().filter(s -> same(s, vm) && s.getSpec() != null && s.getSpec().source != null
                && vm.getMetadata().getName().equals(s.getSpec().source.name)).map(ObjectKey::of).toList();
    }

    private static Collection<ObjectKey> byTarget(Store<VirtualMachineRestore> store, HasMetadata vm) {
        return store.list().stream().filter(r -> same(r, vm) && r.getSpec() != null && r.getSpec().target != null
                && vm.getMetadata().getName().equals(r.getSpec().target.name)).map(ObjectKey::of).toList();
    }

    private static boolean same(HasMetadata a, HasMetadata b) {
        return Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
    }
}
