package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.datavolume.UploadPodBuilder;
import dev.ferry.controllers.datavolume.WorkerOutcome;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A cloning DataVolume's decision, a pure function of what its reconcile read: validate, wait for
 * the source, choose the strategy as CDI does ({@link CloneStrategy}), then walk its steps with CDI's
 * phases — a CSI clone (CSICloneInProgress), a snapshot then a claim from it
 * (SnapshotForSmartCloneInProgress, CloneFromSnapshotSourceInProgress), or a host-assisted copy
 * (CloneScheduled, CloneInProgress); across namespaces the filled temporary claim's volume is
 * rebound to the DataVolume's claim (RebindInProgress). Temporary objects go when the clone succeeds.
 */
public final class CloneDecision {
    static final Duration SOURCE_RECHECK = Duration.ofSeconds(5);
    static final Duration IN_USE_RECHECK = Duration.ofSeconds(3);
    static final Duration SNAPSHOT_POLL = Duration.ofSeconds(1);
    static final Duration PROGRESS_POLL = Duration.ofSeconds(5);
    static final Duration RESTART_DELAY = Duration.ofSeconds(10);

    private CloneDecision() {
    }

    public static ClonePlan decide(CloneObserved o, WorkerSettings settings) {
        Step step = new Step(o);
        String phase = o.dv().getStatus() == null ? null : o.dv().getStatus().phase;
        if (Phases.SUCCEEDED.equals(phase) || Phases.FAILED.equals(phase)) {
            return step.deleteTemporaries().keep();
        }
        if (o.unauthorized() != null) {
            return step.failed("CloneUnauthorized", o.unauthorized());
        }
        if (!o.source().exists()) {
            return step.waiting(Phases.PENDING, "CloneWithoutSource", "The source " + (o.source().snapshot() ? "snapshot " : "pvc ")
                    + o.source().name() + " doesn't exist", SOURCE_RECHECK);
        }
        if (o.targetClass() == null) {
            return step.waiting(Phases.PENDING, "CloneValidationFailed", "the target's storage class does not exist", SOURCE_RECHECK);
        }
        String invalid = CloneValidation.problem(o);
        if (invalid != null) {
            return step.failed("CloneValidationFailed", "The clone doesn't meet the validation requirements: " + invalid);
        }
        if (!o.source().ready()) {
            return step.waiting(Phases.CLONE_SCHEDULED, "CloneSourceNotReady", o.source().describe() + " is not ready yet",
                    SOURCE_RECHECK);
        }
        CloneStrategy.Choice choice = choice(o, step);
        if (StorageProfile.COPY.equals(choice.strategy()) && "archive".equals(CloneClaims.contentType(o.dv()))) {
            return step.failed("CloneValidationFailed", "a host-assisted clone copies a disk image; content type archive needs"
                    + " storage that clones or snapshots (" + choice.message() + ")");
        }
        return switch (choice.strategy()) {
            case StorageProfile.CSI_CLONE -> csiClone(o, step);
            case StorageProfile.SNAPSHOT -> o.source().snapshot() ? restore(o, step, o.source().name())
                    : snapshotThenRestore(o, step, choice.snapshotClass());
            default -> o.source().snapshot() ? copyFromSnapshot(o, step, settings) : hostAssisted(o, step, o.source().pvc(), settings);
        };
    }

    /** The strategy the DataVolume recorded, else chosen now (and recorded, with an event when it fell back). */
    private static CloneStrategy.Choice choice(CloneObserved o, Step step) {
        Map<String, String> annotations = o.dv().getMetadata().getAnnotations();
        String recorded = annotations == null ? null : annotations.get(CloneNames.ANN_CLONE_TYPE);
        if (recorded != null) {
            String snapshotClass = StorageProfile.SNAPSHOT.equals(recorded) && !o.source().snapshot()
                    ? CloneStrategy.snapshotClass(o.targetClass().getProvisioner(), o.targetProfile(), o.sourceProfile(), o.snapshotClasses())
                    : null;
            return new CloneStrategy.Choice(recorded, null, null, snapshotClass);
        }
        CloneStrategy.Choice choice = CloneStrategy.choose(o.source(), null, o.targetClass(), o.targetProfile(), o.sourceProfile(),
                o.snapshotClasses(), targetMode(o), CloneClaims.requested(CloneClaims.target(o, null, null)));
        step.annotate(CloneNames.ANN_CLONE_TYPE, choice.strategy());
        if (choice.fallback() != null) {
            step.annotate(CloneNames.ANN_FALLBACK_REASON, choice.message());
            step.event(Event.warning(choice.fallback().name(), "falling back to a host-assisted copy: " + choice.message()));
        }
        return choice;
    }

    /** CSI clone: the storage copies the claim (within a namespace), else a temporary claim in the source's namespace, rebound. */
    private static ClonePlan csiClone(CloneObserved o, Step step) {
        if (CloneClaims.bound(o.target()) && o.target().getSpec().getVolumeName() != null) {
            return step.succeeded();
        }
        if (o.sameNamespace()) {
            if (o.target() == null) {
                if (!o.source().users().isEmpty()) {
                    return step.inUse();
                }
                step.create(CloneClaims.target(o, CloneClaims.From.claim(o.source().name()), null));
            }
            return step.progressing(Phases.CSI_CLONE_IN_PROGRESS, "CSI Volume clone in progress (for pvc " + o.source().namespace()
                    + "/" + o.source().name() + ")");
        }
        if (o.tmpClaim() == null) {
            if (!o.source().users().isEmpty()) {
                return step.inUse();
            }
            step.create(CloneClaims.temporary(o, CloneNames.tmpClaim(o.dv()), CloneClaims.From.claim(o.source().name()), o.targetClass()));
        }
        if (!CloneClaims.bound(o.tmpClaim())) {
            return step.progressing(Phases.CSI_CLONE_IN_PROGRESS, "CSI Volume clone in progress (for pvc " + o.source().namespace()
                    + "/" + o.source().name() + ")");
        }
        return rebind(o, step);
    }

    /** A snapshot of the source claim first, then a claim from it. */
    private static ClonePlan snapshotThenRestore(CloneObserved o, Step step, String snapshotClass) {
        if (CloneClaims.bound(o.target()) && o.target().getSpec().getVolumeName() != null) {
            return step.succeeded();
        }
        if (o.tmpSnapshot() == null) {
            if (!o.source().users().isEmpty()) {
                return step.inUse();
            }
            step.create(CloneObjects.snapshot(o, snapshotClass));
        }
        if (!CloneObjects.ready(o.tmpSnapshot())) {
            return step.again(SNAPSHOT_POLL).progressing(Phases.SNAPSHOT_FOR_SMART_CLONE_IN_PROGRESS,
                    "Creating snapshot for smart-clone is in progress (for pvc " + o.source().namespace() + "/" + o.source().name() + ")");
        }
        return restore(o, step, CloneNames.tmpSnapshot(o.dv()));
    }

    /** A claim from a VolumeSnapshot (in the target's namespace when it is the snapshot's, else a temporary one, rebound). */
    private static ClonePlan restore(CloneObserved o, Step step, String snapshot) {
        if (CloneClaims.bound(o.target()) && o.target().getSpec().getVolumeName() != null) {
            return step.succeeded();
        }
        String message = "Creating PVC from snapshot source is in progress (for snapshot " + o.source().namespace() + "/" + snapshot + ")";
        if (o.sameNamespace()) {
            if (o.target() == null) {
                step.create(CloneClaims.target(o, CloneClaims.From.snapshot(snapshot), null));
            }
            return step.progressing(Phases.CLONE_FROM_SNAPSHOT_SOURCE_IN_PROGRESS, message);
        }
        if (o.tmpClaim() == null) {
            step.create(CloneClaims.temporary(o, CloneNames.tmpClaim(o.dv()), CloneClaims.From.snapshot(snapshot), o.targetClass()));
        }
        if (!CloneClaims.bound(o.tmpClaim())) {
            return step.progressing(Phases.CLONE_FROM_SNAPSHOT_SOURCE_IN_PROGRESS, message);
        }
        return rebind(o, step);
    }

    /**
     * The temporary claim holds the data: the DataVolume's claim is made for its volume, the volume's
     * claim reference moved to it (the cross-namespace move), then the temporary claim goes.
     */
    private static ClonePlan rebind(CloneObserved o, Step step) {
        String pv = o.tmpClaim().getSpec().getVolumeName();
        String message = "Rebinding PersistentVolumeClaim for DataVolume " + o.dv().getMetadata().getNamespace() + "/"
                + o.dv().getMetadata().getName();
        if (o.target() == null) {
            step.create(CloneClaims.target(o, null, pv));
        } else if (o.tmpVolume() != null && (o.tmpVolume().getSpec().getClaimRef() == null
                || !Objects.equals(o.target().getMetadata().getUid(), o.tmpVolume().getSpec().getClaimRef().getUid()))) {
            step.rebind(new ClonePlan.Rebind(pv, o.target().getMetadata().getNamespace(), o.target().getMetadata().getName(),
                    o.target().getMetadata().getUid()));
        }
        return step.progressing(Phases.REBIND_IN_PROGRESS, message);
    }

    /** A snapshot source copied: restored into a temporary claim of its driver first. */
    private static ClonePlan copyFromSnapshot(CloneObserved o, Step step, WorkerSettings settings) {
        if (o.tmpSourceClaim() == null) {
            if (o.snapshotDriverClass() == null) {
                return step.waiting(Phases.CLONE_SCHEDULED, "NoProvisionerMatch", "no storage class of driver " + o.source().driver()
                        + " to restore the snapshot into", SOURCE_RECHECK);
            }
            PersistentVolumeClaim restored = CloneClaims.temporary(o, CloneNames.tmpSourceClaim(o.dv()),
                    CloneClaims.From.snapshot(o.source().name()), o.snapshotDriverClass());
            restored.getSpec().setVolumeMode(o.source().volumeMode());
            step.create(restored);
            return step.progressing(Phases.CLONE_SCHEDULED, scheduled(o));
        }
        if (!CloneClaims.bound(o.tmpSourceClaim())) {
            return step.progressing(Phases.CLONE_SCHEDULED, scheduled(o));
        }
        return hostAssisted(o, step, o.tmpSourceClaim(), settings);
    }

    /**
     * Host-assisted: the DataVolume's claim in its class, an upload server in clone mode on it, then
     * the clone source streaming the data over mutual TLS; progress from the source.
     */
    private static ClonePlan hostAssisted(CloneObserved o, Step step, PersistentVolumeClaim source, WorkerSettings settings) {
        if (o.target() == null) {
            step.create(CloneClaims.target(o, null, null));
            return step.progressing(Phases.CLONE_SCHEDULED, scheduled(o));
        }
        Pod upload = o.uploadPod();
        if (upload == null) {
            String client = CloneNames.clientName(o.source().namespace(), o.source().name(), o.dv());
            step.tls(new ClonePlan.Tls(o.dv().getMetadata().getNamespace(), CloneNames.serverSecret(o.dv()), serverNames(o),
                    source.getMetadata().getNamespace(), CloneNames.clientSecret(o.dv()), client));
            step.create(UploadPodBuilder.clonePod(o.dv(), o.target(), settings, CloneNames.serverSecret(o.dv()), client));
            if (o.uploadService() == null) {
                step.create(UploadPodBuilder.service(o.dv(), o.target()));
            }
            return step.progressing(Phases.CLONE_SCHEDULED, scheduled(o));
        }
        String uploadPhase = phase(upload);
        if ("Succeeded".equals(uploadPhase)) {
            return step.succeeded();
        }
        if ("Failed".equals(uploadPhase)) {
            return failedWorker(o, step, upload);
        }
        if (!"Running".equals(uploadPhase) || !ready(upload)) {
            return step.progressing(Phases.CLONE_SCHEDULED, scheduled(o));
        }
        Pod sourcePod = o.sourcePod();
        if (sourcePod == null) {
            if (!o.source().users().isEmpty() && source == o.source().pvc()) {
                return step.inUse();
            }
            step.create(ClonePods.source(o.dv(), source, settings));
        } else if ("Failed".equals(phase(sourcePod))) {
            return failedWorker(o, step, sourcePod);
        }
        return step.progress(o.progress()).again(PROGRESS_POLL).progressing(Phases.CLONE_IN_PROGRESS, "Cloning from "
                + o.source().namespace() + "/" + o.source().name() + " into " + o.dv().getMetadata().getNamespace() + "/"
                + o.dv().getMetadata().getName() + " in progress");
    }

    /** A worker failed: for good (its reason), or transiently — then it goes and the next reconcile makes it again. */
    private static ClonePlan failedWorker(CloneObserved o, Step step, Pod pod) {
        WorkerOutcome outcome = WorkerOutcome.of(pod);
        if (!outcome.retryable()) {
            return step.failed(outcome.reason(), outcome.message());
        }
        step.delete(pod);
        return step.again(RESTART_DELAY).progressing(Phases.CLONE_IN_PROGRESS, "restarting " + pod.getMetadata().getName()
                + " after: " + outcome.message());
    }

    private static List<String> serverNames(CloneObserved o) {
        String service = "cdi-upload-" + o.dv().getMetadata().getName();
        String namespace = o.dv().getMetadata().getNamespace();
        return List.of(service, service + "." + namespace, service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local", "localhost", "127.0.0.1");
    }

    private static String scheduled(CloneObserved o) {
        return "Cloning from " + o.source().namespace() + "/" + o.source().name() + " into " + o.dv().getMetadata().getNamespace()
                + "/" + o.dv().getMetadata().getName() + " scheduled";
    }

    static String targetMode(CloneObserved o) {
        return Objects.requireNonNullElse(CloneClaims.target(o, null, null).getSpec().getVolumeMode(), "Filesystem");
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Assembles a plan: what to do, and the status it leaves. */
    private static final class Step {
        private final CloneObserved o;
        private final Map<String, String> annotate = new LinkedHashMap<>();
        private final List<HasMetadata> create = new ArrayList<>();
        private final List<HasMetadata> delete = new ArrayList<>();
        private ClonePlan.Rebind rebind;
        private ClonePlan.Tls tls;
        private Event event;
        private String progress;
        private Duration again;

        Step(CloneObserved o) {
            this.o = o;
        }

        void annotate(String key, String value) {
            annotate.put(key, value);
        }

        void create(HasMetadata object) {
            create.add(object);
        }

        void delete(HasMetadata object) {
            if (object != null) {
                delete.add(object);
            }
        }

        void rebind(ClonePlan.Rebind move) {
            rebind = move;
        }

        void tls(ClonePlan.Tls certificates) {
            tls = certificates;
        }

        void event(Event what) {
            event = what;
        }

        Step progress(Double percent) {
            progress = percent == null ? null : String.format(Locale.ROOT, "%.2f%%", Math.max(0, Math.min(100, percent)));
            return this;
        }

        Step again(Duration after) {
            again = after;
            return this;
        }

        Step deleteTemporaries() {
            delete(o.tmpClaim());
            delete(o.tmpSnapshot());
            delete(o.tmpSourceClaim());
            delete(o.sourcePod());
            delete(o.uploadPod());
            delete(o.uploadService());
            return this;
        }

        ClonePlan keep() {
            return new ClonePlan(Map.of(), List.of(), delete, null, null, o.dv().getStatus(), null, null);
        }

        ClonePlan progressing(String phase, String message) {
            DataVolumeStatus status = DataVolumeConditions.status(o.dv(), o.target(), phase, progress,
                    DataVolumeConditions.ready(phase, phase, message),
                    DataVolumeConditions.of(Phases.CONDITION_RUNNING, Phases.CLONE_IN_PROGRESS.equals(phase), phase, null));
            return plan(status, event != null ? event : Event.normal(phase, message));
        }

        ClonePlan succeeded() {
            deleteTemporaries();
            String message = "Successfully cloned from " + o.source().namespace() + "/" + o.source().name() + " into "
                    + o.dv().getMetadata().getNamespace() + "/" + o.dv().getMetadata().getName();
            DataVolumeStatus status = DataVolumeConditions.status(o.dv(), o.target(), Phases.SUCCEEDED, "100.0%",
                    DataVolumeConditions.ready(Phases.SUCCEEDED, "CloneSucceeded", message),
                    DataVolumeConditions.notRunning("Completed"));
            return plan(status, Event.normal("CloneSucceeded", message));
        }

        ClonePlan failed(String reason, String message) {
            deleteTemporaries();
            DataVolumeStatus status = DataVolumeConditions.status(o.dv(), o.target(), Phases.FAILED, null,
                    DataVolumeConditions.ready(Phases.FAILED, reason, message), DataVolumeConditions.notRunning(reason));
            return plan(status, Event.warning(reason, message));
        }

        ClonePlan waiting(String phase, String reason, String message, Duration recheck) {
            DataVolumeStatus status = DataVolumeConditions.status(o.dv(), o.target(), phase, null,
                    DataVolumeConditions.ready(phase, reason, message), DataVolumeConditions.notRunning(reason));
            again = recheck;
            return plan(status, Event.warning(reason, message));
        }

        ClonePlan inUse() {
            return waiting(Phases.CLONE_SCHEDULED, "CloneSourceInUse", "pod " + o.source().namespace() + "/" + o.source().users().get(0)
                    + " using PersistentVolumeClaim " + o.source().name(), IN_USE_RECHECK);
        }

        private ClonePlan plan(DataVolumeStatus status, Event what) {
            return new ClonePlan(Map.copyOf(annotate), List.copyOf(create), List.copyOf(delete), rebind, tls, status, what, again);
        }
    }

    static String describe(DataVolume dv) {
        return dv.getMetadata().getNamespace() + "/" + dv.getMetadata().getName();
    }
}
