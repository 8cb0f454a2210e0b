package dev.ferry.controllers.snapshot;

import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.SnapshotError;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.GoDuration;
import dev.ferry.controllers.runtime.Models;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * KubeVirt's VirtualMachineSnapshot controller ({@code pkg/storage/snapshot/snapshot.go},
 * {@code source.go}) as a pure decision: lock the VM, write the content (the VM as it is and a
 * backup entry per snapshottable volume), freeze the guest once before the first VolumeSnapshot
 * when its agent answers, thaw it once every VolumeSnapshot has a creation time, report phase,
 * conditions and indications, fail at the deadline — always thawing and unlocking — and on deletion
 * honour the deletion policy.
 */
public final class SnapshotDecision {
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);
    static final Duration RETRY = Duration.ofSeconds(5);
    public static final String ONLINE = "Online";
    public static final String GUEST_AGENT = "GuestAgent";
    public static final String NO_GUEST_AGENT = "NoGuestAgent";
    public static final String PAUSED = "Paused";
    public static final String QUIESCE_TIMEOUT = "QuiesceTimeout";
    public static final String PARTIAL = "PartialSnapshot";
    static final String FSFREEZE_LIMITED = "fsfreeze is limited";
    static final String DEADLINE_EXCEEDED = "snapshot deadline exceeded";
    private static final Map<String, String> MESSAGES = Map.of(
            ONLINE, "the snapshot was taken while the VM was running",
            GUEST_AGENT, "the guest agent answered: the guest's filesystems were frozen for the snapshot",
            NO_GUEST_AGENT, "no guest agent answered: the snapshot is crash-consistent, as after a power cut",
            PAUSED, "the VM was paused: the snapshot is crash-consistent, the guest's filesystems were not frozen",
            QUIESCE_TIMEOUT, "the guest could not stay frozen for the whole snapshot: it is crash-consistent",
            PARTIAL, "some volumes have no VolumeSnapshotClass and are not in the snapshot");

    private SnapshotDecision() {
    }

    public static SnapshotPlan decide(SnapshotObserved o) {
        return new Run(o).decide();
    }

    /** The snapshot's failure deadline (default 5 minutes; zero: none). */
    public static Duration deadline(VirtualMachineSnapshot snapshot) {
        String text = snapshot.getSpec() == null ? null : snapshot.getSpec().failureDeadline;
        if (text == null) {
            return DEFAULT_DEADLINE;
        }
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            return DEFAULT_DEADLINE;
        }
    }

    /** Whether the guest's filesystems are to be frozen: a running, unpaused guest whose agent answers and is not frozen. */
    static boolean freezable(VirtualMachineInstance vmi) {
        return running(vmi) && Conditions.isTrue(vmi.getStatus().conditions, VmiStatus.AGENT_CONNECTED)
                && !Conditions.isTrue(vmi.getStatus().conditions, "Paused")
                && !dev.ferry.worker.launcher.LauncherStatus.FROZEN.equals(vmi.getStatus().fsFreezeStatus);
    }

    static boolean running(VirtualMachineInstance vmi) {
        return vmi != null && vmi.getStatus() != null && VmiStatus.RUNNING.equals(vmi.getStatus().phase)
                && vmi.getMetadata().getDeletionTimestamp() == null;
    }

    /** One reconcile's working state: the plan's parts as they are decided. */
    private static final class Run {
        private final SnapshotObserved o;
        private final VirtualMachineSnapshot snapshot;
        private final VirtualMachineSnapshot.Status before;
        private SnapshotPlan.Guest guest = SnapshotPlan.Guest.NONE;
        private SnapshotPlan.Lock lock = SnapshotPlan.Lock.NONE;
        private List<VmStatus.VolumeSnapshotStatus> volumeStatuses;
        private VirtualMachineSnapshotContent createContent;
        private final List<VolumeSnapshot> createSnapshots = new ArrayList<>();
        private VirtualMachineSnapshotContent.Status contentStatus;
        private boolean releaseContent;
        private final List<HasMetadata> delete = new ArrayList<>();
        private boolean removeFinalizer;
        private Event event;
        private Duration requeue;

        Run(SnapshotObserved o) {
            this.o = o;
            this.snapshot = o.snapshot();
            this.before = snapshot.getStatus();
        }

        SnapshotPlan decide() {
            VirtualMachineSnapshot.Status status;
            if (snapshot.getMetadata().getDeletionTimestamp() != null) {
                status = deleting();
            } else if (failed()) {
                status = fail();
            } else {
                status = proceed();
            }
            return new SnapshotPlan(guest, lock, volumeStatuses, createContent, createSnapshots, contentStatus, releaseContent,
                    delete, status, removeFinalizer, event, requeue);
        }

        private boolean locked() {
            return o.vm() != null && o.vm().getStatus() != null && snapshot.getMetadata().getName().equals(o.vm().getStatus().snapshotInProgress);
        }

        private boolean contentCreated() {
            return o.content() != null && o.content().getStatus() != null && o.content().getStatus().creationTime != null;
        }

        /** Failed before (sticky), or past its deadline while the content is not cut yet. */
        private boolean failed() {
            if (before != null && VirtualMachineSnapshot.FAILED.equals(before.phase)) {
                return true;
            }
            Duration deadline = deadline(snapshot);
            return !deadline.isZero() && !contentCreated() && created().plus(deadline).isBefore(o.now());
        }

        private Instant created() {
            String at = snapshot.getMetadata().getCreationTimestamp();
            return at == null ? o.now() : Instant.parse(at);
        }

        /**
         * The guest thawed whenever this snapshot may have frozen it: while it holds the VM (the
         * reconciler keeps the hold until a thaw is answered). A guest frozen by someone else — a
         * Velero backup's pre hook, another snapshot — is not this snapshot's to thaw.
         */
        private void thawIfHeld() {
            if (running(o.vmi()) && locked()) {
                guest = SnapshotPlan.Guest.THAW;
            }
        }

        private void unlockIfHeld() {
            if (locked() || (o.vm() != null && o.vm().getMetadata().getFinalizers().contains(SnapshotNames.SOURCE_FINALIZER)
                    && (o.vm().getStatus() == null || o.vm().getStatus().snapshotInProgress == null))) {
                lock = SnapshotPlan.Lock.UNLOCK;
            }
        }

        /** The content and its VolumeSnapshots go (the finalizer first). */
        private void deleteContent() {
            if (o.content() == null) {
                return;
            }
            releaseContent = true;
            delete.add(o.content());
            delete.addAll(o.volumeSnapshots().values());
        }

        private VirtualMachineSnapshot.Status fail() {
            thawIfHeld();
            deleteContent();
            unlockIfHeld();
            VirtualMachineSnapshot.Status status = base();
            status.phase = VirtualMachineSnapshot.FAILED;
            status.readyToUse = false;
            status.creationTime = null;
            boolean deadline = before == null || !VirtualMachineSnapshot.FAILED.equals(before.phase);
            status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, false, "Operation failed"),
                    condition(SnapshotCondition.READY, false, "Not ready"),
                    deadline || Conditions.find(before.conditions, SnapshotCondition.FAILURE) == null
                            ? condition(SnapshotCondition.FAILURE, true, DEADLINE_EXCEEDED)
                            : Conditions.find(before.conditions, SnapshotCondition.FAILURE));
            if (deadline) {
                event = Event.warning("VirtualMachineSnapshotDeadlineExceeded", "snapshot " + snapshot.getMetadata().getName()
                        + " did not finish within its failure deadline " + GoDuration.format(deadline(snapshot))
                        + "; the guest was thawed and what it made is removed");
            }
            return status;
        }

        /** Deleted: thaw, the content by its policy, unlock, then let go. */
        private VirtualMachineSnapshot.Status deleting() {
            thawIfHeld();
            if (o.content() != null) {
                boolean retain = VirtualMachineSnapshot.RETAIN.equals(snapshot.getSpec() == null ? null : snapshot.getSpec().deletionPolicy);
                boolean ready = o.content().getStatus() != null && Boolean.TRUE.equals(o.content().getStatus().readyToUse);
                if (retain && ready) {
                    releaseContent = true;
                } else {
                    deleteContent();
                }
            }
            unlockIfHeld();
            removeFinalizer = snapshot.getMetadata().getFinalizers().contains(SnapshotNames.SNAPSHOT_FINALIZER);
            VirtualMachineSnapshot.Status status = base();
            if (before == null || before.phase == null || VirtualMachineSnapshot.IN_PROGRESS.equals(before.phase)) {
                status.phase = VirtualMachineSnapshot.DELETING;
                status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, false, "VM snapshot is deleting"),
                        condition(SnapshotCondition.READY, false, "Not ready"));
            }
            return status;
        }

        /** Lock, content, VolumeSnapshots, freeze and thaw: one step per reconcile, each re-read before the next. */
        private VirtualMachineSnapshot.Status proceed() {
            VirtualMachineSnapshot.Status status = base();
            status.sourceUID = o.vm() != null ? o.vm().getMetadata().getUid() : status.sourceUID;
            status.virtualMachineSnapshotContentName = SnapshotNames.content(snapshot);
            boolean wasInProgress = before == null || before.phase == null || VirtualMachineSnapshot.IN_PROGRESS.equals(before.phase);
            status.phase = VirtualMachineSnapshot.IN_PROGRESS;
            if (wasInProgress) {
                indications(status);
            }
            if (o.vm() != null) {
                volumeStatuses = volumeStatuses();
            }
            String progressing;
            boolean progressingTrue;
            if (o.content() == null) {
                if (o.vm() == null) {
                    progressing = "Source does not exist";
                    progressingTrue = false;
                    requeue = RETRY;
                } else if (!locked()) {
                    String problem = lockProblem();
                    if (problem == null) {
                        lock = SnapshotPlan.Lock.LOCK;
                        progressing = "Source locked and operation in progress";
                        progressingTrue = true;
                    } else {
                        progressing = "Source not locked: " + problem;
                        progressingTrue = false;
                        requeue = RETRY;
                    }
                } else {
                    createContent = content();
                    event = Event.normal("SuccessfulVirtualMachineSnapshotContentCreate", "Successfully created VirtualMachineSnapshotContent "
                            + createContent.getMetadata().getName());
                    progressing = "Source locked and operation in progress";
                    progressingTrue = true;
                }
                status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, progressingTrue, progressing),
                        condition(SnapshotCondition.READY, false, "Not ready"));
                return withDeadline(status);
            }
            VirtualMachineSnapshotContent.Status content = contentStatus();
            contentStatus = content;
            status.creationTime = content.creationTime;
            status.readyToUse = content.readyToUse;
            status.error = content.error;
            if (content.creationTime != null) {
                status.phase = VirtualMachineSnapshot.SUCCEEDED;
                status.snapshotVolumes = snapshotVolumes();
                if (status.snapshotVolumes.excludedVolumes != null && o.volumes().stream().anyMatch(v -> v.claimBacked()
                        && status.snapshotVolumes.excludedVolumes.contains(v.name()))) {
                    addIndication(status, PARTIAL);
                }
                unlockIfHeld();
                status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, false, "Operation complete"),
                        Boolean.TRUE.equals(content.readyToUse) ? condition(SnapshotCondition.READY, true, "Ready")
                                : condition(SnapshotCondition.READY, false, "Not ready"));
                if (!Boolean.TRUE.equals(content.readyToUse)) {
                    requeue = RETRY;
                }
                return status;
            }
            // VolumeSnapshots wake this controller; where the cluster does not serve their kind, it looks again
            requeue = requeue == null ? RETRY : requeue;
            status.conditions = List.of(content.error != null ? condition(SnapshotCondition.PROGRESSING, false, "In error state")
                    : condition(SnapshotCondition.PROGRESSING, true, "Source locked and operation in progress"),
                    condition(SnapshotCondition.READY, false, "Not ready"));
            return withDeadline(status);
        }

        /** Looks again at the deadline at the latest. */
        private VirtualMachineSnapshot.Status withDeadline(VirtualMachineSnapshot.Status status) {
            Duration deadline = deadline(snapshot);
            if (!deadline.isZero()) {
                Duration left = Duration.between(o.now(), created().plus(deadline)).plusMillis(100);
                requeue = requeue == null || left.compareTo(requeue) < 0 ? (left.isNegative() ? Duration.ZERO : left) : requeue;
            }
            return status;
        }

        /** The status carried over: what stays true once set (source, content name, indications). */
        private VirtualMachineSnapshot.Status base() {
            VirtualMachineSnapshot.Status status = new VirtualMachineSnapshot.Status();
            if (before != null) {
                status.sourceUID = before.sourceUID;
                status.virtualMachineSnapshotContentName = before.virtualMachineSnapshotContentName;
                status.creationTime = before.creationTime;
                status.readyToUse = before.readyToUse;
                status.error = before.error;
                status.phase = before.phase;
                status.conditions = before.conditions;
                status.indications = before.indications;
                status.sourceIndications = before.sourceIndications;
                status.snapshotVolumes = before.snapshotVolumes;
            }
            return status;
        }

        /** While in progress: Online and how the guest was found (paused, with an agent, without); nothing for an offline VM. */
        private void indications(VirtualMachineSnapshot.Status status) {
            status.indications = null;
            status.sourceIndications = null;
            VirtualMachineInstance vmi = o.vmi();
            if (vmi == null || vmi.getStatus() == null) {
                return;
            }
            addIndication(status, ONLINE);
            List<? extends dev.ferry.api.meta.Condition> conditions = vmi.getStatus().conditions;
            if (Conditions.isTrue(conditions, "Paused")) {
                addIndication(status, PAUSED);
            } else if (Conditions.isTrue(conditions, VmiStatus.AGENT_CONNECTED)) {
                addIndication(status, GUEST_AGENT);
                String error = o.content() != null && o.content().getStatus() != null && o.content().getStatus().error != null
                        ? o.content().getStatus().error.message : null;
                if (error != null && error.contains(FSFREEZE_LIMITED)) {
                    addIndication(status, QUIESCE_TIMEOUT);
                }
            } else {
                addIndication(status, NO_GUEST_AGENT);
            }
        }

        private void addIndication(VirtualMachineSnapshot.Status status, String indication) {
            List<String> names = new ArrayList<>(status.indications == null ? List.of() : status.indications);
            if (names.contains(indication)) {
                return;
            }
            names.add(indication);
            status.indications = names;
            List<VirtualMachineSnapshot.SourceIndication> sources = new ArrayList<>(status.sourceIndications == null ? List.of()
                    : status.sourceIndications);
            sources.add(new VirtualMachineSnapshot.SourceIndication(indication, MESSAGES.get(indication)));
            status.sourceIndications = sources;
        }

        /** Why the VM cannot be locked now, or null: every claim bound and populated, no other snapshot holding it. */
        private String lockProblem() {
            VirtualMachine vm = o.vm();
            String other = vm.getStatus() == null ? null : vm.getStatus().snapshotInProgress;
            if (other != null && !other.equals(snapshot.getMetadata().getName())) {
                return "snapshot " + other + " in progress";
            }
            if (vm.getMetadata().getDeletionTimestamp() != null) {
                return "the VM is being deleted";
            }
            if (vm.getStatus() != null && vm.getStatus().restoreInProgress != null) {
                return "restore " + vm.getStatus().restoreInProgress + " in progress";
            }
            for (VmVolume volume : o.volumes()) {
                if (!volume.claimBacked()) {
                    continue;
                }
                if (volume.claim() == null) {
                    return "claim " + volume.claimName() + " of volume " + volume.name() + " does not exist";
                }
                if (volume.claim().getMetadata().getDeletionTimestamp() != null) {
                    return "claim " + volume.claimName() + " of volume " + volume.name() + " is being deleted";
                }
                if (volume.claim().getStatus() == null || !"Bound".equals(volume.claim().getStatus().getPhase())) {
                    return "claim " + volume.claimName() + " of volume " + volume.name() + " is not Bound";
                }
                if (volume.dataVolume() != null && (volume.dataVolume().getStatus() == null
                        || !Phases.SUCCEEDED.equals(volume.dataVolume().getStatus().phase))) {
                    return "DataVolume " + volume.claimName() + " of volume " + volume.name() + " is not populated yet";
                }
            }
            return null;
        }

        private List<VmStatus.VolumeSnapshotStatus> volumeStatuses() {
            List<VmStatus.VolumeSnapshotStatus> statuses = new ArrayList<>();
            for (VmVolume volume : o.volumes()) {
                String reason = !volume.claimBacked() ? "Snapshot is not supported for this volumeSource type [" + volume.name() + "]"
                        : volume.notSnapshottable();
                statuses.add(new VmStatus.VolumeSnapshotStatus(volume.name(), reason == null, reason));
            }
            return statuses;
        }

        /** The VM as it is now, and a backup entry for every volume that gets a VolumeSnapshot. */
        private VirtualMachineSnapshotContent content() {
            VirtualMachine vm = o.vm();
            VirtualMachineSnapshotContent content = new VirtualMachineSnapshotContent();
            content.setMetadata(new ObjectMetaBuilder().withName(SnapshotNames.content(snapshot))
                    .withNamespace(snapshot.getMetadata().getNamespace()).withFinalizers(SnapshotNames.CONTENT_FINALIZER)
                    .withLabels(snapshot.getMetadata().getLabels()).build());
            content.setSpec(new VirtualMachineSnapshotContent.Spec());
            content.getSpec().virtualMachineSnapshotName = snapshot.getMetadata().getName();
            content.getSpec().source = new VirtualMachineSnapshotContent.Source();
            VirtualMachineSnapshotContent.SourceVirtualMachine source = new VirtualMachineSnapshotContent.SourceVirtualMachine();
            source.metadata = new ObjectMetaBuilder().withName(vm.getMetadata().getName()).withNamespace(vm.getMetadata().getNamespace())
                    .withUid(vm.getMetadata().getUid()).withGeneration(vm.getMetadata().getGeneration())
                    .withLabels(vm.getMetadata().getLabels()).withAnnotations(vm.getMetadata().getAnnotations()).build();
            source.spec = Models.copy(vm.getSpec(), dev.ferry.api.kubevirt.v1.VmSpec.class);
            content.getSpec().source.virtualMachine = source;
            List<VirtualMachineSnapshotContent.VolumeBackup> backups = new ArrayList<>();
            for (VmVolume volume : o.volumes()) {
                if (!volume.snapshottable()) {
                    continue;
                }
                VirtualMachineSnapshotContent.VolumeBackup backup = new VirtualMachineSnapshotContent.VolumeBackup();
                backup.volumeName = volume.name();
                backup.volumeSnapshotName = SnapshotNames.volumeSnapshot(snapshot.getMetadata().getUid(), volume.name());
                backup.persistentVolumeClaim = new VirtualMachineSnapshotContent.ClaimTemplate();
                ObjectMeta claim = volume.claim().getMetadata();
                backup.persistentVolumeClaim.metadata = new ObjectMetaBuilder().withName(claim.getName()).withNamespace(claim.getNamespace())
                        .withLabels(claim.getLabels()).withAnnotations(claim.getAnnotations()).build();
                backup.persistentVolumeClaim.spec = Models.copy(volume.claim().getSpec(), PersistentVolumeClaimSpec.class);
                backups.add(backup);
            }
            content.getSpec().volumeBackups = backups;
            return content;
        }

        /** The content's status from its VolumeSnapshots; asks to freeze before the first one and to thaw once all are cut. */
        private VirtualMachineSnapshotContent.Status contentStatus() {
            VirtualMachineSnapshotContent content = o.content();
            VirtualMachineSnapshotContent.Status current = content.getStatus();
            List<VirtualMachineSnapshotContent.VolumeBackup> backups = content.getSpec().volumeBackups == null ? List.of()
                    : content.getSpec().volumeBackups;
            List<String> missing = backups.stream().map(b -> b.volumeSnapshotName).filter(n -> !o.volumeSnapshots().containsKey(n)).toList();
            boolean cut = current != null && current.creationTime != null;
            VirtualMachineSnapshotContent.Status next = new VirtualMachineSnapshotContent.Status();
            next.creationTime = cut ? current.creationTime : null;
            if (!missing.isEmpty() && !cut) {
                if (o.freezeError() != null) {
                    next.readyToUse = false;
                    next.error = new SnapshotError(o.now().toString(), o.freezeError());
                    requeue = RETRY;
                    return next;
                }
                if (freezable(o.vmi()) && locked()) {
                    guest = SnapshotPlan.Guest.FREEZE;
                }
                for (VirtualMachineSnapshotContent.VolumeBackup backup : backups) {
                    if (missing.contains(backup.volumeSnapshotName)) {
                        createSnapshots.add(volumeSnapshot(backup));
                    }
                }
            }
            List<VirtualMachineSnapshotContent.VolumeSnapshotStatus> statuses = new ArrayList<>();
            boolean allCut = missing.isEmpty();
            boolean allReady = missing.isEmpty();
            for (VirtualMachineSnapshotContent.VolumeBackup backup : backups) {
                VolumeSnapshot vs = o.volumeSnapshots().get(backup.volumeSnapshotName);
                if (vs == null) {
                    continue;
                }
                VirtualMachineSnapshotContent.VolumeSnapshotStatus s = new VirtualMachineSnapshotContent.VolumeSnapshotStatus();
                s.volumeSnapshotName = backup.volumeSnapshotName;
                if (vs.getStatus() != null) {
                    s.creationTime = vs.getStatus().creationTime;
                    s.readyToUse = vs.getStatus().readyToUse;
                    if (vs.getStatus().error != null && vs.getStatus().error.message != null) {
                        s.error = new SnapshotError(vs.getStatus().error.time, vs.getStatus().error.message);
                        if (next.error == null) {
                            next.error = new SnapshotError(o.now().toString(), "VolumeSnapshot " + backup.volumeSnapshotName
                                    + " error: " + vs.getStatus().error.message);
                        }
                    }
                }
                allCut &= s.creationTime != null;
                allReady &= Boolean.TRUE.equals(s.readyToUse);
                statuses.add(s);
            }
            next.volumeSnapshotStatus = statuses;
            if (cut && !missing.isEmpty()) {
                next.error = new SnapshotError(o.now().toString(), "VolumeSnapshots (" + String.join(",", missing) + ") missing");
                event = Event.warning("VolumeSnapshotMissing", next.error.message);
            }
            if (allCut && !cut) {
                next.creationTime = o.now().toString();
                thawIfHeld();
            } else if (cut) {
                thawIfHeld();
            }
            // ready only once cut: a VolumeSnapshot reporting ready without its creation time is not taken yet
            next.readyToUse = allReady && next.creationTime != null;
            if (current != null && current.error != null && next.error != null && Objects.equals(current.error.message, next.error.message)) {
                next.error = current.error;
            }
            return next;
        }

        private VolumeSnapshot volumeSnapshot(VirtualMachineSnapshotContent.VolumeBackup backup) {
            VolumeSnapshot vs = new VolumeSnapshot();
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(SnapshotNames.LABEL_SOURCE_VM_NAME, o.vm() != null ? o.vm().getMetadata().getName()
                    : o.content().getSpec().source.virtualMachine.metadata.getName());
            labels.put(SnapshotNames.LABEL_SOURCE_VM_NAMESPACE, snapshot.getMetadata().getNamespace());
            vs.setMetadata(new ObjectMetaBuilder().withName(backup.volumeSnapshotName).withNamespace(snapshot.getMetadata().getNamespace())
                    .withLabels(labels).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(VirtualMachineSnapshot.GROUP + "/"
                            + VirtualMachineSnapshot.VERSION).withKind("VirtualMachineSnapshotContent")
                            .withName(o.content().getMetadata().getName()).withUid(o.content().getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(false).build()).build());
            vs.setSpec(new VolumeSnapshot.Spec());
            vs.getSpec().source = new VolumeSnapshot.Source();
            vs.getSpec().source.persistentVolumeClaimName = backup.persistentVolumeClaim.metadata.getName();
            vs.getSpec().volumeSnapshotClassName = o.volumes().stream().filter(v -> v.name().equals(backup.volumeName))
                    .map(VmVolume::snapshotClass).filter(Objects::nonNull).findFirst().orElse(null);
            return vs;
        }

        private VirtualMachineSnapshot.SnapshotVolumes snapshotVolumes() {
            List<String> included = o.content().getSpec().volumeBackups == null ? List.of()
                    : o.content().getSpec().volumeBackups.stream().map(b -> b.volumeName).toList();
            List<VmiSpec.Volume> all = o.content().getSpec().source.virtualMachine.spec.template.spec.volumes;
            List<String> excluded = all == null ? List.of() : all.stream().map(v -> v.name).filter(n -> !included.contains(n)).toList();
            VirtualMachineSnapshot.SnapshotVolumes volumes = new VirtualMachineSnapshot.SnapshotVolumes();
            volumes.includedVolumes = included.isEmpty() ? null : included;
            volumes.excludedVolumes = excluded.isEmpty() ? null : excluded;
            return volumes;
        }

        private SnapshotCondition condition(String type, boolean status, String reason) {
            SnapshotCondition condition = Conditions.of(SnapshotCondition::new, type, status, reason, null);
            condition.lastProbeTime = null;
            return condition;
        }
    }
}
