package dev.ferry.controllers.snapshot.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.runtime.k8s.ConditionedStatus;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import dev.ferry.controllers.snapshot.RestoreDecision;
import dev.ferry.controllers.snapshot.RestoreObserved;
import dev.ferry.controllers.snapshot.RestorePlan;
import dev.ferry.controllers.snapshot.RestoredObjects;
import dev.ferry.controllers.snapshot.SnapshotNames;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** Reconciles one VirtualMachineRestore: observe → {@link RestoreDecision} → apply. */
public final class RestoreReconciler implements Reconciler {
    private static final Logger LOG = Logger.getLogger(RestoreReconciler.class.getName());
    private static final ConditionedStatus<VirtualMachineRestore.Status, SnapshotCondition> STATUS = new ConditionedStatus<>(
            VirtualMachineRestore.Status.class, s -> s.conditions, (s, c) -> s.conditions = c, s -> s);
    private final KubernetesClient client;
    private final Apply apply;
    private final EventRecorder events;
    private final Clock clock;

    public RestoreReconciler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.events = new EventRecorder(client, clock);
        this.clock = clock;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        VirtualMachineRestore restore = client.resources(VirtualMachineRestore.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (restore == null || restore.getSpec() == null || restore.getSpec().target == null) {
            return null;
        }
        if (restore.getMetadata().getDeletionTimestamp() == null) {
            restore = apply.addFinalizer(restore, SnapshotNames.RESTORE_FINALIZER);
        }
        RestoreObserved o = observe(restore);
        RestorePlan plan = RestoreDecision.decide(o);
        apply(restore, o, plan);
        return plan.requeueAfter();
    }

    RestoreObserved observe(VirtualMachineRestore restore) {
        String namespace = restore.getMetadata().getNamespace();
        String target = RestoredObjects.targetName(restore);
        VirtualMachine vm = client.resources(VirtualMachine.class).inNamespace(namespace).withName(target).get();
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(target).get();
        VirtualMachineSnapshot snapshot = client.resources(VirtualMachineSnapshot.class).inNamespace(namespace)
                .withName(restore.getSpec().virtualMachineSnapshotName).get();
        VirtualMachineSnapshotContent content = snapshot == null ? null : client.resources(VirtualMachineSnapshotContent.class)
                .inNamespace(namespace).withName(snapshot.getStatus() != null && snapshot.getStatus().virtualMachineSnapshotContentName != null
                        ? snapshot.getStatus().virtualMachineSnapshotContentName : SnapshotNames.content(snapshot)).get();
        Map<String, VolumeSnapshot> snapshots = new HashMap<>();
        Map<String, PersistentVolumeClaim> claims = new HashMap<>();
        Map<String, DataVolume> dataVolumes = new HashMap<>();
        Map<String, String> modes = new HashMap<>();
        List<String> dvNames = new ArrayList<>();
        if (content != null && content.getSpec().volumeBackups != null) {
            for (VirtualMachineSnapshotContent.VolumeBackup backup : content.getSpec().volumeBackups) {
                VolumeSnapshot vs = SnapshotObserver.optional(() -> client.resources(VolumeSnapshot.class).inNamespace(namespace)
                        .withName(backup.volumeSnapshotName).get());
                if (vs != null) {
                    snapshots.put(backup.volumeSnapshotName, vs);
                }
                String name = RestoredObjects.claimName(restore, backup);
                PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
                if (claim != null) {
                    claims.put(name, claim);
                }
                dvNames.add(name);
                String className = backup.persistentVolumeClaim.spec == null ? null : backup.persistentVolumeClaim.spec.getStorageClassName();
                if (className != null && !modes.containsKey(className)) {
                    StorageClass sc = client.storage().v1().storageClasses().withName(className).get();
                    modes.put(className, sc == null ? null : sc.getVolumeBindingMode());
                }
            }
        }
        if (vm != null) {
            dvNames.addAll(RestoredObjects.templateNames(vm.getSpec()));
        }
        if (restore.getStatus() != null && restore.getStatus().deletedDataVolumes != null) {
            dvNames.addAll(restore.getStatus().deletedDataVolumes);
        }
        for (String name : dvNames) {
            DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(name).get();
            if (dv != null) {
                dataVolumes.put(name, dv);
            }
        }
        return new RestoreObserved(restore, vm, vmi, snapshot, content, snapshots, claims, dataVolumes, modes, clock.instant());
    }

    private void apply(VirtualMachineRestore restore, RestoreObserved o, RestorePlan plan) {
        String name = restore.getMetadata().getName();
        VirtualMachine target = o.target();
        if (plan.owner() != null) {
            restore = apply.edit(restore, current -> {
                List<io.fabric8.kubernetes.api.model.OwnerReference> owners = new ArrayList<>(
                        current.getMetadata().getOwnerReferences() == null ? List.of() : current.getMetadata().getOwnerReferences());
                owners.add(plan.owner());
                current.getMetadata().setOwnerReferences(owners);
                return current;
            });
        }
        if (plan.stopTarget() && target != null) {
            target = apply.edit(target, current -> {
                current.getSpec().running = null;
                current.getSpec().runStrategy = VmSpec.HALTED;
                return current;
            });
            LOG.info(() -> key(o.restore()) + ": stopping the restore target " + o.target().getMetadata().getName());
        }
        if (plan.mark() == RestorePlan.Mark.MARK && target != null) {
            target = apply.editStatus(target, current -> {
                current.setStatus(current.getStatus() == null ? new VmStatus() : current.getStatus());
                if (current.getStatus().restoreInProgress == null) {
                    current.getStatus().restoreInProgress = name;
                }
                return current;
            });
        }
        plan.annotateDataVolumes().forEach((dvName, annotations) -> {
            DataVolume dv = o.dataVolumes().get(dvName);
            apply.edit(dv, current -> {
                Map<String, String> merged = new LinkedHashMap<>(current.getMetadata().getAnnotations() == null ? Map.of()
                        : current.getMetadata().getAnnotations());
                merged.putAll(annotations);
                current.getMetadata().setAnnotations(merged);
                return current;
            });
        });
        plan.delete().forEach(apply::delete);
        plan.createClaims().forEach(apply::create);
        if (plan.createVm() != null) {
            apply.create(plan.createVm());
            LOG.info(() -> key(o.restore()) + ": created VM " + plan.createVm().getMetadata().getName());
        }
        if (plan.updateVm() != null && target != null) {
            target = apply.edit(target, current -> {
                current.setSpec(plan.updateVm().getSpec());
                current.getMetadata().setAnnotations(plan.updateVm().getMetadata().getAnnotations());
                return current;
            });
            LOG.info(() -> key(o.restore()) + ": rewrote VM " + plan.updateVm().getMetadata().getName());
        }
        for (PersistentVolumeClaim claim : plan.adoptClaims()) {
            VirtualMachine owner = target;
            apply.edit(claim, current -> {
                current.getMetadata().setOwnerReferences(List.of(RestoredObjects.owner(owner)));
                Map<String, String> annotations = new LinkedHashMap<>(current.getMetadata().getAnnotations());
                annotations.remove(SnapshotNames.ANN_OWNED_BY_VM);
                current.getMetadata().setAnnotations(annotations);
                return current;
            });
        }
        if (plan.mark() == RestorePlan.Mark.UNMARK && target != null) {
            apply.editStatus(target, current -> {
                if (current.getStatus() != null && name.equals(current.getStatus().restoreInProgress)) {
                    current.getStatus().restoreInProgress = null;
                }
                return current;
            });
        }
        STATUS.write(apply, clock, restore, plan.status());
        if (plan.event() != null) {
            events.record(restore, plan.event(), plan.status() != null && Boolean.TRUE.equals(plan.status().complete) ? "complete"
                    : Integer.toHexString(plan.event().message().hashCode()));
        }
        if (plan.removeFinalizer()) {
            apply.removeFinalizer(restore, SnapshotNames.RESTORE_FINALIZER);
        }
    }

    private static String key(VirtualMachineRestore restore) {
        return restore.getMetadata().getNamespace() + "/" + restore.getMetadata().getName();
    }
}
