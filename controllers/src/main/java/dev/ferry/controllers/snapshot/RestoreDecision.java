package dev.ferry.controllers.snapshot;

import dev.ferry.api.cdi.v1beta1.Annotations;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.GoDuration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KubeVirt's VirtualMachineRestore controller ({@code pkg/storage/snapshot/restore.go}) as a pure
 * decision: wait for (or stop) a running target as its readiness policy says, check the snapshot,
 * mark the target, make each claim from its VolumeSnapshot under the name the volume restore
 * policy gives (replacing the original in place), create or rewrite the VM onto them — DataVolume
 * templates pre-populated, never imported again — and finish once its DataVolumes have adopted
 * their claims.
 */
public final class RestoreDecision {
    public static final Duration GRACE_PERIOD = Duration.ofMinutes(5);
    static final Duration RETRY = Duration.ofSeconds(5);
    static final String INITIALIZING = "Initializing VirtualMachineRestore";
    static final String COMPLETE = "Operation complete";

    private RestoreDecision() {
    }

    public static RestorePlan decide(RestoreObserved o) {
        return new Run(o).decide();
    }

    /** Whether the target VM was already rewritten (or made) by this restore. */
    public static boolean restoredBy(VirtualMachine vm, VirtualMachineRestore restore) {
        return vm != null && vm.getMetadata().getAnnotations() != null
                && SnapshotNames.restoreUid(restore).equals(vm.getMetadata().getAnnotations().get(SnapshotNames.ANN_LAST_RESTORE_UID));
    }

    private static final class Run {
        private final RestoreObserved o;
        private final VirtualMachineRestore restore;
        private final VirtualMachineRestore.Status before;
        private OwnerReference owner;
        private boolean stopTarget;
        private RestorePlan.Mark mark = RestorePlan.Mark.NONE;
        private final Map<String, Map<String, String>> annotate = new LinkedHashMap<>();
        private final List<HasMetadata> delete = new ArrayList<>();
        private final List<PersistentVolumeClaim> createClaims = new ArrayList<>();
        private VirtualMachine createVm;
        private VirtualMachine updateVm;
        private final List<PersistentVolumeClaim> adopt = new ArrayList<>();
        private boolean removeFinalizer;
        private Event event;
        private Duration requeue;

        Run(RestoreObserved o) {
            this.o = o;
            this.restore = o.restore();
            this.before = restore.getStatus();
        }

        RestorePlan decide() {
            VirtualMachineRestore.Status status = step();
            return new RestorePlan(owner, stopTarget, mark, annotate, delete, createClaims, createVm, updateVm, adopt, status,
                    removeFinalizer, event, requeue);
        }

        private boolean marked() {
            return o.target() != null && o.target().getStatus() != null
                    && restore.getMetadata().getName().equals(o.target().getStatus().restoreInProgress);
        }

        private VirtualMachineRestore.Status step() {
            if (restore.getMetadata().getDeletionTimestamp() != null) {
                unmarkIfHeld();
                removeFinalizer = restore.getMetadata().getFinalizers().contains(SnapshotNames.RESTORE_FINALIZER);
                return before;
            }
            if (before != null && (Boolean.TRUE.equals(before.complete) || Conditions.isTrue(before.conditions, SnapshotCondition.FAILURE))) {
                unmarkIfHeld();
                return before;
            }
            if (o.target() != null && ownedBy(o.target()) == null) {
                owner = RestoredObjects.owner(o.target());
            }
            if (before == null) {
                requeue = Duration.ZERO;
                return status(true, INITIALIZING, false, INITIALIZING);
            }
            if (o.targetVmi() != null) {
                return targetNotReady();
            }
            VirtualMachineSnapshot snapshot = o.snapshot();
            String name = restore.getSpec().virtualMachineSnapshotName;
            if (snapshot == null) {
                requeue = RETRY;
                return progressing(false, "VirtualMachineSnapshot " + name + " does not exist");
            }
            if (snapshot.getStatus() != null && VirtualMachineSnapshot.FAILED.equals(snapshot.getStatus().phase)) {
                return failure("VirtualMachineSnapshot " + name + " failed and is invalid to use");
            }
            VirtualMachineSnapshotContent content = o.content();
            if (snapshot.getStatus() == null || !Boolean.TRUE.equals(snapshot.getStatus().readyToUse) || content == null
                    || content.getStatus() == null || !Boolean.TRUE.equals(content.getStatus().readyToUse)) {
                requeue = RETRY;
                return progressing(false, "VirtualMachineSnapshot " + name + " not ready");
            }
            VirtualMachine target = o.target();
            if (target != null && !RestoreDecision.restoredBy(target, restore)
                    && !target.getMetadata().getUid().equals(snapshot.getStatus().sourceUID)) {
                return failure("restore source and restore target are different but restore target already exists");
            }
            if (target != null && !marked()) {
                String other = target.getStatus() == null ? null : target.getStatus().restoreInProgress;
                if (other != null) {
                    requeue = RETRY;
                    return progressing(false, "VirtualMachineRestore " + other + " in progress on VM " + target.getMetadata().getName());
                }
                mark = RestorePlan.Mark.MARK;
            }
            VirtualMachineRestore.Status claims = claims(content);
            if (claims != null) {
                return claims;
            }
            VmSpec spec = RestoredObjects.rewrite(restore, content);
            if (target == null) {
                try {
                    createVm = RestoredObjects.newVm(restore, content, spec);
                } catch (IOException e) {
                    return failure(e.getMessage());
                }
                requeue = Duration.ZERO;
                return progressing(true, "Creating VM " + RestoredObjects.targetName(restore));
            }
            if (!RestoreDecision.restoredBy(target, restore)) {
                updateVm = RestoredObjects.rewritten(restore, target, spec);
                requeue = Duration.ZERO;
                VirtualMachineRestore.Status status = progressing(true, "Updating VM " + target.getMetadata().getName());
                List<String> kept = RestoredObjects.templateNames(spec);
                List<String> dropped = RestoredObjects.templateNames(target.getSpec()).stream().filter(n -> !kept.contains(n)).toList();
                status.deletedDataVolumes = dropped.isEmpty() ? null : dropped;
                return status;
            }
            for (VirtualMachineSnapshotContent.VolumeBackup backup : backups(content)) {
                PersistentVolumeClaim claim = o.claims().get(RestoredObjects.claimName(restore, backup));
                if (claim != null && claim.getMetadata().getAnnotations() != null
                        && claim.getMetadata().getAnnotations().containsKey(SnapshotNames.ANN_OWNED_BY_VM)
                        && (claim.getMetadata().getOwnerReferences() == null || claim.getMetadata().getOwnerReferences().isEmpty())) {
                    adopt.add(claim);
                }
            }
            for (String template : RestoredObjects.templateNames(target.getSpec())) {
                DataVolume dv = o.dataVolumes().get(template);
                String phase = dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
                if (!Phases.SUCCEEDED.equals(phase) && !Phases.WAIT_FOR_FIRST_CONSUMER.equals(phase)
                        && !"PendingPopulation".equals(phase)) {
                    requeue = RETRY;
                    return progressing(true, "Waiting for DataVolume " + template + " to adopt its restored claim");
                }
            }
            for (String dropped : before.deletedDataVolumes == null ? List.<String>of() : before.deletedDataVolumes) {
                DataVolume dv = o.dataVolumes().get(dropped);
                if (dv != null) {
                    delete.add(dv);
                }
            }
            unmarkIfHeld();
            VirtualMachineRestore.Status done = status(false, COMPLETE, true, COMPLETE);
            done.complete = true;
            done.restoreTime = o.now().toString();
            event = Event.normal("VirtualMachineRestoreComplete", "Successfully completed VirtualMachineRestore "
                    + restore.getMetadata().getName());
            return done;
        }

        /** Claims made, or what they wait for (null: all there and usable). */
        private VirtualMachineRestore.Status claims(VirtualMachineSnapshotContent content) {
            OwnerReference targetOwner = o.target() == null ? null : RestoredObjects.owner(o.target());
            String waiting = null;
            for (VirtualMachineSnapshotContent.VolumeBackup backup : backups(content)) {
                String name = RestoredObjects.claimName(restore, backup);
                PersistentVolumeClaim existing = o.claims().get(name);
                if (existing == null) {
                    createClaims.add(RestoredObjects.claim(restore, content, backup, o.volumeSnapshots().get(backup.volumeSnapshotName),
                            targetOwner));
                    waiting = waiting != null ? waiting : "Creating claim " + name;
                    continue;
                }
                boolean ours = existing.getMetadata().getAnnotations() != null && SnapshotNames.restoreUid(restore)
                        .equals(existing.getMetadata().getAnnotations().get(SnapshotNames.ANN_LAST_RESTORE_UID));
                if (!ours) {
                    if (existing.getMetadata().getDeletionTimestamp() == null) {
                        DataVolume dv = o.dataVolumes().get(name);
                        if (dv != null && (dv.getMetadata().getAnnotations() == null
                                || !dv.getMetadata().getAnnotations().containsKey(Annotations.PRE_POPULATED))) {
                            annotate.put(name, Map.of(SnapshotNames.ANN_RESTORE_NAME, restore.getMetadata().getName(),
                                    Annotations.PRE_POPULATED, name));
                        }
                        delete.add(existing);
                    }
                    waiting = waiting != null ? waiting : "Replacing claim " + name + " in place";
                    continue;
                }
                boolean bound = existing.getStatus() != null && "Bound".equals(existing.getStatus().getPhase());
                String mode = o.bindingModes().get(existing.getSpec().getStorageClassName());
                if (!bound && !"WaitForFirstConsumer".equals(mode)) {
                    waiting = waiting != null ? waiting : "Waiting for claim " + name + " to be populated from its VolumeSnapshot";
                }
            }
            if (waiting == null) {
                return null;
            }
            requeue = createClaims.isEmpty() && delete.isEmpty() ? RETRY : Duration.ZERO;
            return progressing(true, waiting);
        }

        private VirtualMachineRestore.Status targetNotReady() {
            String policy = restore.getSpec().targetReadinessPolicy == null ? VirtualMachineRestore.WAIT_GRACE_PERIOD
                    : restore.getSpec().targetReadinessPolicy;
            String target = o.targetVmi().getMetadata().getName();
            switch (policy) {
                case VirtualMachineRestore.STOP_TARGET -> {
                    stopTarget = true;
                    requeue = RETRY;
                    event = Event.normal("RestoreTargetNotReady", "Automatically stopping restore target " + target);
                    return progressing(true, "Automatically stopping restore target for restore operation");
                }
                case VirtualMachineRestore.FAIL_IMMEDIATE -> {
                    return failure("Restore target VMI must be powered off before restore operation");
                }
                case VirtualMachineRestore.WAIT_EVENTUALLY -> {
                    requeue = RETRY;
                    event = Event.warning("RestoreTargetNotReady", "Restore target " + target + " is running");
                    return progressing(false, "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore");
                }
                default -> {
                    Instant created = restore.getMetadata().getCreationTimestamp() == null ? o.now()
                            : Instant.parse(restore.getMetadata().getCreationTimestamp());
                    Instant until = created.plus(GRACE_PERIOD);
                    String period = GoDuration.format(GRACE_PERIOD);
                    if (!o.now().isBefore(until)) {
                        return failure("Restore target failed to be ready within " + period);
                    }
                    requeue = Duration.between(o.now(), until).compareTo(RETRY) < 0 ? Duration.between(o.now(), until) : RETRY;
                    event = Event.warning("RestoreTargetNotReady", "Restore target " + target + " is running");
                    return progressing(false, "Waiting for target VM to be powered off. Please stop the restore target to proceed with "
                            + "restore, or the operation will fail after " + period);
                }
            }
        }

        private void unmarkIfHeld() {
            if (marked()) {
                mark = RestorePlan.Mark.UNMARK;
            }
        }

        private OwnerReference ownedBy(VirtualMachine vm) {
            return restore.getMetadata().getOwnerReferences() == null ? null : restore.getMetadata().getOwnerReferences().stream()
                    .filter(r -> vm.getMetadata().getUid().equals(r.getUid())).findFirst().orElse(null);
        }

        private List<VirtualMachineSnapshotContent.VolumeBackup> backups(VirtualMachineSnapshotContent content) {
            return content.getSpec().volumeBackups == null ? List.of() : content.getSpec().volumeBackups;
        }

        private VirtualMachineRestore.Status progressing(boolean progressing, String message) {
            VirtualMachineRestore.Status status = status(progressing, message, false, message);
            if (o.content() != null) {
                status.restores = restores(o.content());
            }
            return status;
        }

        private VirtualMachineRestore.Status failure(String message) {
            unmarkIfHeld();
            event = Event.warning("VirtualMachineRestoreError", message);
            VirtualMachineRestore.Status status = status(false, message, false, message);
            status.conditions = Conditions.put(status.conditions, Conditions.of(SnapshotCondition::new, SnapshotCondition.FAILURE, true,
                    message, null));
            return status;
        }

        private VirtualMachineRestore.Status status(boolean progressing, String progressingReason, boolean ready, String readyReason) {
            VirtualMachineRestore.Status status = new VirtualMachineRestore.Status();
            status.complete = false;
            if (before != null) {
                status.restores = before.restores;
                status.deletedDataVolumes = before.deletedDataVolumes;
            }
            status.conditions = new ArrayList<>(List.of(
                    Conditions.of(SnapshotCondition::new, SnapshotCondition.PROGRESSING, progressing, progressingReason, null),
                    Conditions.of(SnapshotCondition::new, SnapshotCondition.READY, ready, readyReason, null)));
            return status;
        }

        private List<VirtualMachineRestore.VolumeRestore> restores(VirtualMachineSnapshotContent content) {
            VmSpec spec = content.getSpec().source.virtualMachine.spec;
            List<VirtualMachineRestore.VolumeRestore> restores = new ArrayList<>();
            for (VirtualMachineSnapshotContent.VolumeBackup backup : backups(content)) {
                VirtualMachineRestore.VolumeRestore r = new VirtualMachineRestore.VolumeRestore();
                r.volumeName = backup.volumeName;
                r.persistentVolumeClaim = RestoredObjects.claimName(restore, backup);
                r.volumeSnapshotName = backup.volumeSnapshotName;
                r.dataVolumeName = RestoredObjects.fromTemplate(spec, backup) ? r.persistentVolumeClaim : null;
                restores.add(r);
            }
            return restores.isEmpty() ? null : restores;
        }
    }
}
