package dev.ferry.controllers.schedule;

import dev.ferry.api.meta.Condition;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapscheduler SnapshotSchedule, decided as snapscheduler does: when a run is due, a
 * VolumeSnapshot of each selected claim named {@code <claim>-<schedule>-<YYYYMMDDHHMM>} (cut to
 * 253 characters) with the template's labels, {@code snapscheduler.backube/schedule} and
 * {@code snapscheduler.backube/when}, and the template's class; then expiry by age and per-claim
 * count (both, and while disabled too); status {@code lastSnapshotTime}, {@code nextSnapshotTime}
 * and {@code Reconciled}. No owner references: snapshots outlive the schedule.
 */
public final class ClaimScheduleDecision {
    private ClaimScheduleDecision() {
    }

    public static SchedulePlan<SnapshotSchedule.Status> decide(ClaimScheduleObserved o) {
        SnapshotSchedule schedule = o.schedule();
        SnapshotSchedule.Spec spec = schedule.getSpec() == null ? new SnapshotSchedule.Spec() : schedule.getSpec();
        SnapshotSchedule.Status before = schedule.getStatus();
        SnapshotSchedule.Status status = new SnapshotSchedule.Status();
        if (before != null) {
            status.lastSnapshotTime = before.lastSnapshotTime;
            status.nextSnapshotTime = before.nextSnapshotTime;
        }
        String expires = spec.retention == null ? null : spec.retention.expires;
        Integer maxCount = spec.retention == null ? null : spec.retention.maxCount;
        String problem = ScheduleCore.problem(spec.schedule);
        problem = problem != null ? problem : ScheduleCore.retentionProblem(expires, maxCount);
        problem = problem != null ? problem : Selectors.problem(spec.claimSelector);
        if (problem != null) {
            status.conditions = List.of(reconciled(false, "ReconcileError", problem));
            return new SchedulePlan<>(List.of(), List.of(), status, List.of(), 0, ScheduleCore.MAX_REQUEUE);
        }
        String name = schedule.getMetadata().getName();
        List<VolumeSnapshot> existing = o.snapshots().stream().filter(s -> s.getMetadata().getDeletionTimestamp() == null).toList();
        List<Event> events = new ArrayList<>();
        List<VolumeSnapshot> create = new ArrayList<>();
        ScheduleCore.Timing timing = ScheduleCore.timing(spec.schedule, Boolean.TRUE.equals(spec.disabled),
                VmScheduleDecision.parse(status.nextSnapshotTime), o.now());
        status.nextSnapshotTime = timing.next().toString();
        if (timing.slot() != null) {
            status.lastSnapshotTime = o.now().toString();
            String when = ScheduleCore.stamp(timing.slot());
            o.claims().stream().filter(c -> c.getMetadata().getDeletionTimestamp() == null)
                    .filter(c -> Selectors.matches(spec.claimSelector, c.getMetadata().getLabels()))
                    .sorted(Comparator.comparing(c -> c.getMetadata().getName())).forEach(claim -> {
                        String snapshotName = ScheduleCore.name(claim.getMetadata().getName(), name, when);
                        if (existing.stream().noneMatch(s -> s.getMetadata().getName().equals(snapshotName))) {
                            create.add(snapshot(schedule, spec, claim, snapshotName, when));
                            events.add(Event.normal("ScheduledSnapshotCreated", "created VolumeSnapshot " + snapshotName
                                    + " of claim " + claim.getMetadata().getName()));
                        }
                    });
        }
        List<ScheduleCore.Taken> taken = new ArrayList<>(existing.stream().map(s -> new ScheduleCore.Taken(s.getMetadata().getName(),
                claim(s), Instant.parse(s.getMetadata().getCreationTimestamp()))).toList());
        create.forEach(s -> taken.add(new ScheduleCore.Taken(s.getMetadata().getName(), claim(s), o.now())));
        List<String> delete = ScheduleCore.expired(taken, expires, maxCount, o.now());
        delete.forEach(gone -> events.add(Event.normal("ScheduledSnapshotExpired", "deleted VolumeSnapshot " + gone)));
        status.conditions = List.of(reconciled(true, "ReconcileComplete", "Reconcile complete"));
        return new SchedulePlan<>(create, delete, status, events, 0, timing.requeue(o.now()));
    }

    private static VolumeSnapshot snapshot(SnapshotSchedule schedule, SnapshotSchedule.Spec spec, PersistentVolumeClaim claim,
            String snapshotName, String when) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (spec.snapshotTemplate != null && spec.snapshotTemplate.labels != null) {
            labels.putAll(spec.snapshotTemplate.labels);
        }
        labels.put(SnapshotSchedule.LABEL_SCHEDULE, schedule.getMetadata().getName());
        labels.put(SnapshotSchedule.LABEL_WHEN, when);
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.setMetadata(new ObjectMetaBuilder().withName(snapshotName).withNamespace(schedule.getMetadata().getNamespace())
                .withLabels(labels).build());
        vs.setSpec(new VolumeSnapshot.Spec());
        vs.getSpec().source = new VolumeSnapshot.Source();
        vs.getSpec().source.persistentVolumeClaimName = claim.getMetadata().getName();
        vs.getSpec().volumeSnapshotClassName = spec.snapshotTemplate == null ? null : spec.snapshotTemplate.snapshotClassName;
        return vs;
    }

    private static String claim(VolumeSnapshot snapshot) {
        return snapshot.getSpec() == null || snapshot.getSpec().source == null ? ""
                : String.valueOf(snapshot.getSpec().source.persistentVolumeClaimName);
    }

    private static Condition reconciled(boolean ok, String reason, String message) {
        return Conditions.of(Condition::new, SnapshotSchedule.CONDITION_RECONCILED, ok, reason, message);
    }
}
