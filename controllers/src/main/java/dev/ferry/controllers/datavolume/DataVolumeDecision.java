package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.Annotations;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DataVolume reconciler's decision, a pure function of what it observed: which objects to
 * create or delete and which status to report. Level-based: the same observation always gives
 * the same plan, so a restarted controller picks up where the last one was.
 */
public final class DataVolumeDecision {
    static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(10);
    static final Duration MAX_RESTART_DELAY = Duration.ofMinutes(5);
    static final Duration SOURCE_RECHECK = Duration.ofSeconds(30);
    /** How often a running import's progress is read from its worker. */
    static final Duration PROGRESS_POLL = Duration.ofSeconds(5);

    private enum Kind { IMPORT, UPLOAD }

    private DataVolumeDecision() {
    }

    public static Plan decide(Observed o, WorkerSettings settings) {
        DataVolume dv = o.dv();
        String phase = dv.getStatus() == null ? null : dv.getStatus().phase;
        if (Phases.SUCCEEDED.equals(phase) || Phases.FAILED.equals(phase)) {
            return new Plan(null, List.of(), finished(o.worker()) && Phases.SUCCEEDED.equals(phase) && !retained(dv), dv.getStatus(),
                    null, null);
        }
        if (isPrePopulated(dv)) {
            return prePopulated(o);
        }
        if (o.source() == null) {
            return waiting(o, Reasons.DATA_SOURCE_NOT_FOUND, o.sourceProblem(), SOURCE_RECHECK);
        }
        String unsupported = unsupported(o.source());
        if (unsupported != null) {
            return waiting(o, Reasons.UNSUPPORTED_SOURCE, unsupported, null);
        }
        if (o.pvc() == null) {
            PersistentVolumeClaim pvc = PvcBuilder.build(dv, o.storage());
            return new Plan(pvc, List.of(), false, status(o, Phases.PENDING, null,
                    DataVolumeConditions.ready(Phases.PENDING, Reasons.PENDING, "creating claim " + name(pvc)), notRunning(Reasons.PENDING)),
                    Event.normal(Reasons.PENDING, "Created PVC " + name(pvc)), null);
        }
        ClaimMarks.Restored restored = ClaimMarks.restored(o.pvc(), dv);
        if (restored == ClaimMarks.Restored.POPULATED) {
            // a backup's claim restored before its DataVolume (Velero's order), already holding the data: adopted, not filled again
            return adopted(o);
        }
        if (!ownedBy(o.pvc(), dv) && restored == ClaimMarks.Restored.NONE) {
            String message = "claim " + name(o.pvc()) + " already exists and is not owned by this DataVolume";
            return new Plan(null, List.of(), false, status(o, Phases.PENDING, null,
                    DataVolumeConditions.ready(Phases.PENDING, Reasons.ERR_RESOURCE_EXISTS, message), notRunning(Reasons.PENDING)),
                    Event.warning(Reasons.ERR_RESOURCE_EXISTS, message), null);
        }
        if (waitsForConsumer(o)) {
            return new Plan(null, List.of(), false, status(o, Phases.WAIT_FOR_FIRST_CONSUMER, null,
                    DataVolumeConditions.ready(Phases.WAIT_FOR_FIRST_CONSUMER, Reasons.WAIT_FOR_FIRST_CONSUMER,
                            "the storage class binds on first use; waiting for a Pod to use claim " + name(o.pvc())),
                    notRunning(Reasons.PENDING)),
                    Event.normal(Reasons.WAIT_FOR_FIRST_CONSUMER, "PVC " + name(o.pvc()) + " waits for its first consumer"),
                    null);
        }
        Kind kind = o.source().upload != null ? Kind.UPLOAD : Kind.IMPORT;
        if (o.worker() == null) {
            return schedule(o, kind, settings);
        }
        return follow(o, kind);
    }

    private static Plan schedule(Observed o, Kind kind, WorkerSettings settings) {
        List<HasMetadata> worker = new ArrayList<>();
        String scheduled;
        if (kind == Kind.UPLOAD) {
            worker.add(UploadPodBuilder.pod(o.dv(), o.pvc(), settings));
            worker.add(UploadPodBuilder.service(o.dv(), o.pvc()));
            scheduled = Phases.UPLOAD_SCHEDULED;
        } else {
            try {
                worker.add(ImporterPodBuilder.build(o.dv(), o.pvc(), settings));
            } catch (ImportSource.UnsupportedSource e) {
                return waiting(o, Reasons.UNSUPPORTED_SOURCE, e.getMessage(), null);
            }
            scheduled = Phases.IMPORT_SCHEDULED;
        }
        String podName = worker.get(0).getMetadata().getName();
        return new Plan(null, worker, false, status(o, scheduled, null,
                DataVolumeConditions.ready(scheduled, scheduled, scheduledMessage(podName)), notRunning(Reasons.POD_PENDING)),
                Event.normal(scheduled, "Created worker Pod " + podName), null);
    }

    /** The worker exists: report its progress, its success, or restart it after a transient failure. */
    private static Plan follow(Observed o, Kind kind) {
        Pod pod = o.worker();
        String podPhase = pod.getStatus() == null ? "Pending" : String.valueOf(pod.getStatus().getPhase());
        String scheduled = kind == Kind.UPLOAD ? Phases.UPLOAD_SCHEDULED : Phases.IMPORT_SCHEDULED;
        switch (podPhase) {
            case "Running" -> {
                String phase = kind == Kind.IMPORT ? Phases.IMPORT_IN_PROGRESS : ready(pod) ? Phases.UPLOAD_READY : scheduled;
                String progress = kind == Kind.IMPORT && o.progress() != null ? percent(o.progress()) : null;
                return new Plan(null, List.of(), false, status(o, phase, progress,
                        DataVolumeConditions.ready(phase, phase, null), DataVolumeConditions.of(Phases.CONDITION_RUNNING, true, Reasons.RUNNING, null)),
                        Event.normal(phase, phaseMessage(phase, pod)), kind == Kind.IMPORT ? PROGRESS_POLL : null);
            }
            case "Succeeded", "Failed" -> {
                return finished(o, kind, WorkerOutcome.of(pod));
            }
            default -> {
                return new Plan(null, List.of(), false, status(o, scheduled, null,
                        DataVolumeConditions.ready(scheduled, scheduled, scheduledMessage(pod.getMetadata().getName())),
                        notRunning(Reasons.POD_PENDING)), null, null);
            }
        }
    }

    /** CDI's {@code storage.pod.retainAfterCompletion}: a completed worker Pod stays. */
    static boolean retained(DataVolume dv) {
        return dv.getMetadata().getAnnotations() != null
                && "true".equals(dv.getMetadata().getAnnotations().get(dev.ferry.api.cdi.v1beta1.Annotations.RETAIN_AFTER_COMPLETION));
    }

    private static Plan finished(Observed o, Kind kind, WorkerOutcome outcome) {
        String inProgress = kind == Kind.IMPORT ? Phases.IMPORT_IN_PROGRESS : Phases.UPLOAD_READY;
        if (outcome.succeeded()) {
            String reason = kind == Kind.IMPORT ? Reasons.IMPORT_SUCCEEDED : Reasons.UPLOAD_SUCCEEDED;
            return new Plan(null, List.of(), !retained(o.dv()), status(o, Phases.SUCCEEDED, "100.0%",
                    DataVolumeConditions.ready(Phases.SUCCEEDED, reason, outcome.message()),
                    DataVolumeConditions.of(Phases.CONDITION_RUNNING, false, Reasons.COMPLETED, null)),
                    Event.normal(reason, "Successfully populated " + name(o.pvc())), null);
        }
        String failed = kind == Kind.IMPORT ? Reasons.IMPORT_FAILED : Reasons.UPLOAD_FAILED;
        if (!outcome.retryable()) {
            return new Plan(null, List.of(), false, status(o, Phases.FAILED, currentProgress(o),
                    DataVolumeConditions.ready(Phases.FAILED, outcome.reason(), outcome.message()),
                    DataVolumeConditions.of(Phases.CONDITION_RUNNING, false, outcome.reason(), outcome.message())),
                    Event.warning(failed, outcome.message()), null);
        }
        int restarts = restarts(o.dv());
        Instant due = (outcome.finishedAt() == null ? o.now() : outcome.finishedAt()).plus(backoff(restarts));
        if (o.now().isBefore(due)) {
            return new Plan(null, List.of(), false, status(o, inProgress, currentProgress(o),
                    DataVolumeConditions.ready(inProgress, outcome.reason(), outcome.message()),
                    DataVolumeConditions.of(Phases.CONDITION_RUNNING, false, outcome.reason(), outcome.message()
                            + "; retrying in " + Duration.between(o.now(), due).toSeconds() + " s")),
                    Event.warning(failed, outcome.message()), Duration.between(o.now(), due));
        }
        DataVolumeStatus next = status(o, inProgress, currentProgress(o),
                DataVolumeConditions.ready(inProgress, Reasons.WORKER_RESTARTING, outcome.message()),
                DataVolumeConditions.of(Phases.CONDITION_RUNNING, false, Reasons.WORKER_RESTARTING, outcome.message()));
        next.restartCount = restarts + 1;
        return new Plan(null, List.of(), true, next, Event.warning(Reasons.WORKER_RESTARTING,
                "restarting the worker (attempt " + (restarts + 2) + "): " + outcome.message()), null);
    }

    /** 10 s, 20 s, 40 s … capped at 5 minutes. */
    static Duration backoff(int restarts) {
        Duration delay = FIRST_RESTART_DELAY.multipliedBy(1L << Math.min(restarts, 10));
        return delay.compareTo(MAX_RESTART_DELAY) > 0 ? MAX_RESTART_DELAY : delay;
    }

    private static Plan prePopulated(Observed o) {
        if (o.pvc() == null) {
            return waiting(o, Reasons.PRE_POPULATED, "waiting for the pre-populated claim "
                    + o.dv().getMetadata().getName(), null);
        }
        return new Plan(null, List.of(), false, status(o, Phases.SUCCEEDED, "N/A",
                DataVolumeConditions.ready(Phases.SUCCEEDED, Reasons.PRE_POPULATED, "the claim was populated outside this DataVolume"),
                DataVolumeConditions.of(Phases.CONDITION_RUNNING, false, Reasons.COMPLETED, null)),
                Event.normal(Reasons.PRE_POPULATED, "Adopted pre-populated PVC " + name(o.pvc())), null);
    }

    private static Plan adopted(Observed o) {
        return new Plan(null, List.of(), false, status(o, Phases.SUCCEEDED, "N/A",
                DataVolumeConditions.ready(Phases.SUCCEEDED, Reasons.PRE_POPULATED, "claim " + name(o.pvc())
                        + " holds this DataVolume's data (" + ClaimMarks.POPULATED_FOR + "): adopted, nothing imported"),
                DataVolumeConditions.of(Phases.CONDITION_RUNNING, false, Reasons.COMPLETED, null)),
                Event.normal(Reasons.PRE_POPULATED, "Adopted PVC " + name(o.pvc()) + ", populated for this DataVolume"), null);
    }

    /** A step the cluster refused for a reason a person must fix (a missing Secret, say): Pending, the reason, a slow recheck. */
    public static Plan blocked(Observed o, String reason, String message, Duration recheck) {
        return waiting(o, reason, message, recheck);
    }

    private static Plan waiting(Observed o, String reason, String message, Duration recheck) {
        return new Plan(null, List.of(), false, status(o, Phases.PENDING, null,
                DataVolumeConditions.ready(Phases.PENDING, reason, message), notRunning(reason)),
                Event.warning(reason, message), recheck);
    }

    private static DataVolumeStatus status(Observed o, String phase, String progress, DataVolumeCondition ready,
            DataVolumeCondition running) {
        DataVolumeStatus status = DataVolumeConditions.status(o.dv(), o.pvc(), phase, progress, ready, running);
        if (o.claimProblem() != null) {
            // what keeps the claim Pending, as the provisioner's event says it, where the user looks
            DataVolumeCondition bound = DataVolumeConditions.find(status, Phases.CONDITION_BOUND);
            if (bound != null && !bound.isTrue()) {
                bound.message = (bound.message == null ? "" : bound.message + ": ") + o.claimProblem();
            }
        }
        return status;
    }

    private static DataVolumeCondition notRunning(String reason) {
        return DataVolumeConditions.notRunning(reason);
    }

    private static String unsupported(DataVolumeSource source) {
        if (source.http != null || source.s3 != null || source.registry != null || source.blank != null
                || source.upload != null) {
            return null;
        }
        String kind = source.gcs != null ? "gcs" : source.imageio != null ? "imageio" : source.vddk != null ? "vddk" : null;
        return kind == null ? "spec.source names no source" : "source " + kind + " is not supported by Ferry yet";
    }

    private static boolean waitsForConsumer(Observed o) {
        boolean bound = o.pvc().getStatus() != null && "Bound".equals(o.pvc().getStatus().getPhase());
        return !bound && "WaitForFirstConsumer".equals(o.bindingMode()) && !o.consumerPresent()
                && !"true".equals(annotation(o.dv(), Annotations.IMMEDIATE_BIND));
    }

    public static boolean isPrePopulated(DataVolume dv) {
        return annotation(dv, Annotations.PRE_POPULATED) != null;
    }

    private static String annotation(DataVolume dv, String key) {
        Map<String, String> annotations = dv.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    public static boolean ownedBy(HasMetadata child, DataVolume dv) {
        return child.getMetadata().getOwnerReferences() != null && child.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> "DataVolume".equals(ref.getKind()) && dv.getMetadata().getName().equals(ref.getName())
                        && (dv.getMetadata().getUid() == null || dv.getMetadata().getUid().equals(ref.getUid())));
    }

    private static boolean finished(Pod pod) {
        return pod != null && pod.getStatus() != null
                && ("Succeeded".equals(pod.getStatus().getPhase()) || "Failed".equals(pod.getStatus().getPhase()));
    }

    private static boolean ready(Pod pod) {
        List<PodCondition> conditions = pod.getStatus().getConditions();
        return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static int restarts(DataVolume dv) {
        return dv.getStatus() == null || dv.getStatus().restartCount == null ? 0 : dv.getStatus().restartCount;
    }

    private static String currentProgress(Observed o) {
        return o.dv().getStatus() == null ? null : o.dv().getStatus().progress;
    }

    static String percent(double value) {
        return String.format(Locale.ROOT, "%.2f%%", Math.max(0, Math.min(100, value)));
    }

    private static String scheduledMessage(String podName) {
        return "worker Pod " + podName + " created, waiting for it to start";
    }

    private static String phaseMessage(String phase, Pod pod) {
        return switch (phase) {
            case Phases.UPLOAD_READY -> "Upload server " + pod.getMetadata().getName() + " is ready";
            case Phases.IMPORT_IN_PROGRESS -> "Import into " + pod.getMetadata().getName() + " in progress";
            default -> phase;
        };
    }

    private static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }
}
