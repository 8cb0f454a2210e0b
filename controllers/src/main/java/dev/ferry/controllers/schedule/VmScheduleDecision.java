package dev.ferry.controllers.schedule;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.meta.Condition;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A VirtualMachineSnapshotSchedule, decided: when a run is due, a VirtualMachineSnapshot of each
 * selected VM named {@code <schedule>-<vm>-<YYYYMMDDHHMM>} and labelled with the schedule and the
 * scheduled time — except for a VM whose previous scheduled snapshot still runs, which skips that
 * slot (counted in its status, not queued); then the snapshots that expire; the status (last and
 * next run, each VM's last snapshot and result, {@code Reconciled}). Snapshots carry no owner: they
 * outlive the schedule, as snapscheduler's do.
 */
public final class VmScheduleDecision {
    public static final String RESULT_SKIPPED = "Skipped";
    /** While a VM's snapshot runs its result is looked at again this soon. */
    static final Duration IN_PROGRESS_REQUEUE = Duration.ofSeconds(15);

    private VmScheduleDecision() {
    }

    public static SchedulePlan<VirtualMachineSnapshotSchedule.Status> decide(VmScheduleObserved o) {
        VirtualMachineSnapshotSchedule schedule = o.schedule();
        VirtualMachineSnapshotSchedule.Spec spec = schedule.getSpec() == null ? new VirtualMachineSnapshotSchedule.Spec() : schedule.getSpec();
        VirtualMachineSnapshotSchedule.Status before = schedule.getStatus();
        VirtualMachineSnapshotSchedule.Status status = new VirtualMachineSnapshotSchedule.Status();
        if (before != null) {
            status.lastSnapshotTime = before.lastSnapshotTime;
            status.nextSnapshotTime = before.nextSnapshotTime;
            status.virtualMachines = before.virtualMachines;
        }
        String expires = spec.retention == null ? null : spec.retention.expires;
        Integer maxCount = spec.retention == null ? null : spec.retention.maxCount;
        String problem = ScheduleCore.problem(spec.schedule);
        problem = problem != null ? problem : ScheduleCore.retentionProblem(expires, maxCount);
        problem = problem != null ? problem : Selectors.problem(spec.vmSelector);
        if (problem != null) {
            status.conditions = List.of(reconciled(false, "ReconcileError", problem));
            return new SchedulePlan<>(List.of(), List.of(), status, List.of(), 0, ScheduleCore.MAX_REQUEUE);
        }
        String name = schedule.getMetadata().getName();
        List<VirtualMachine> selected = o.vms().stream().filter(vm -> vm.getMetadata().getDeletionTimestamp() == null)
                .filter(vm -> Selectors.matches(spec.vmSelector, vm.getMetadata().getLabels()))
                .sorted(Comparator.comparing(vm -> vm.getMetadata().getName())).toList();
        List<VirtualMachineSnapshot> existing = o.snapshots().stream().filter(s -> s.getMetadata().getDeletionTimestamp() == null).toList();
        Map<String, VirtualMachineSnapshotSchedule.VmResult> results = new LinkedHashMap<>();
        Map<String, VirtualMachineSnapshotSchedule.VmResult> previous = new HashMap<>();
        if (before != null && before.virtualMachines != null) {
            before.virtualMachines.forEach(r -> previous.put(r.name, r));
        }
        List<Event> events = new ArrayList<>();
        List<VirtualMachineSnapshot> create = new ArrayList<>();

        ScheduleCore.Timing timing = ScheduleCore.timing(spec.schedule, Boolean.TRUE.equals(spec.disabled),
                parse(status.nextSnapshotTime), o.now());
        status.nextSnapshotTime = timing.next().toString();
        if (timing.slot() != null) {
            status.lastSnapshotTime = o.now().toString();
            String when = ScheduleCore.stamp(timing.slot());
            for (VirtualMachine vm : selected) {
                String vmName = vm.getMetadata().getName();
                String snapshotName = ScheduleCore.name(name, vmName, when);
                if (existing.stream().anyMatch(s -> s.getMetadata().getName().equals(snapshotName))) {
                    continue;
                }
                Optional<VirtualMachineSnapshot> running = latest(existing, vmName).filter(VmScheduleDecision::inProgress);
                if (running.isPresent()) {
                    VirtualMachineSnapshotSchedule.VmResult last = previous.get(vmName);
                    int skipped = (last == null || last.skipped == null ? 0 : last.skipped) + 1;
                    results.put(vmName, new VirtualMachineSnapshotSchedule.VmResult(vmName, running.get().getMetadata().getName(),
                            RESULT_SKIPPED, skipped));
                    events.add(Event.warning("ScheduledSnapshotSkipped", "VM " + vmName + " skipped the " + when
                            + " snapshot: its snapshot " + running.get().getMetadata().getName() + " is still running"));
                    continue;
                }
                create.add(snapshot(schedule, spec, vmName, snapshotName, when));
                events.add(Event.normal("ScheduledSnapshotCreated", "created VirtualMachineSnapshot " + snapshotName + " of VM " + vmName));
            }
        }

        // expiry, every look, disabled or not; the snapshots made now count as made now
        List<ScheduleCore.Taken> taken = new ArrayList<>(existing.stream().map(s -> new ScheduleCore.Taken(s.getMetadata().getName(),
                source(s), Instant.parse(s.getMetadata().getCreationTimestamp()))).toList());
        create.forEach(s -> taken.add(new ScheduleCore.Taken(s.getMetadata().getName(), source(s), o.now())));
        List<String> delete = ScheduleCore.expired(taken, expires, maxCount, o.now());
        delete.forEach(gone -> events.add(Event.normal("ScheduledSnapshotExpired", "deleted VirtualMachineSnapshot " + gone
                + " (retention" + (expires == null ? "" : " expires " + expires) + (maxCount == null ? "" : " maxCount " + maxCount) + ")")));

        int failed = 0;
        boolean running = false;
        for (VirtualMachine vm : selected) {
            String vmName = vm.getMetadata().getName();
            if (results.containsKey(vmName)) {
                running = true;
                continue;
            }
            VirtualMachineSnapshotSchedule.VmResult last = previous.get(vmName);
            Integer skipped = last == null ? null : last.skipped;
            Optional<VirtualMachineSnapshot> created = create.stream().filter(s -> vmName.equals(source(s))).findFirst();
            Optional<VirtualMachineSnapshot> latest = created.isPresent() ? created : latest(existing, vmName);
            if (latest.isEmpty()) {
                if (last != null) {
                    results.put(vmName, last);
                }
                continue;
            }
            String snapshotName = latest.get().getMetadata().getName();
            String result = created.isPresent() ? VirtualMachineSnapshot.IN_PROGRESS : result(latest.get());
            running |= VirtualMachineSnapshot.IN_PROGRESS.equals(result);
            if (VirtualMachineSnapshot.IN_PROGRESS.equals(result) && last != null && RESULT_SKIPPED.equals(last.lastResult)
                    && snapshotName.equals(last.lastSnapshotName)) {
                result = RESULT_SKIPPED;   // said until the snapshot that made the slot skip ends
            }
            if (VirtualMachineSnapshot.FAILED.equals(result) && (last == null || !snapshotName.equals(last.lastSnapshotName)
                    || !VirtualMachineSnapshot.FAILED.equals(last.lastResult))) {
                failed++;
                String why = latest.get().getStatus() != null && latest.get().getStatus().error != null
                        ? ": " + latest.get().getStatus().error.message : "";
                events.add(Event.warning("ScheduledSnapshotFailed", "VirtualMachineSnapshot " + snapshotName + " of VM " + vmName
                        + " failed" + why));
            }
            results.put(vmName, new VirtualMachineSnapshotSchedule.VmResult(vmName, snapshotName, result, skipped));
        }
        status.virtualMachines = results.isEmpty() ? null : new ArrayList<>(results.values());
        status.conditions = List.of(reconciled(true, "ReconcileComplete", Boolean.TRUE.equals(spec.disabled)
                ? "disabled: no new snapshots, expiry goes on" : selected.size() + " VM(s) selected"));
        Duration requeue = timing.requeue(o.now());
        if (running && requeue.compareTo(IN_PROGRESS_REQUEUE) > 0) {
            requeue = IN_PROGRESS_REQUEUE;
        }
        return new SchedulePlan<>(create, delete, status, events, failed, requeue);
    }

    private static VirtualMachineSnapshot snapshot(VirtualMachineSnapshotSchedule schedule, VirtualMachineSnapshotSchedule.Spec spec,
            String vmName, String snapshotName, String when) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (spec.snapshotTemplate != null && spec.snapshotTemplate.labels != null) {
            labels.putAll(spec.snapshotTemplate.labels);
        }
        labels.put(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE, schedule.getMetadata().getName());
        labels.put(VirtualMachineSnapshotSchedule.LABEL_WHEN, when);
        VirtualMachineSnapshot snapshot = new VirtualMachineSnapshot();
        snapshot.setMetadata(new ObjectMetaBuilder().withName(snapshotName).withNamespace(schedule.getMetadata().getNamespace())
                .withLabels(labels).build());
        snapshot.setSpec(new VirtualMachineSnapshot.Spec());
        snapshot.getSpec().source = ObjectReference.virtualMachine(vmName);
        if (spec.snapshotTemplate != null) {
            snapshot.getSpec().failureDeadline = spec.snapshotTemplate.failureDeadline;
            snapshot.getSpec().deletionPolicy = spec.snapshotTemplate.deletionPolicy;
        }
        return snapshot;
    }

    /** The VM's newest snapshot of this schedule (by scheduled time, then creation). */
    private static Optional<VirtualMachineSnapshot> latest(List<VirtualMachineSnapshot> snapshots, String vmName) {
        return snapshots.stream().filter(s -> vmName.equals(source(s)))
                .max(Comparator.comparing((VirtualMachineSnapshot s) -> label(s, VirtualMachineSnapshotSchedule.LABEL_WHEN))
                        .thenComparing(s -> s.getMetadata().getCreationTimestamp()));
    }

    private static boolean inProgress(VirtualMachineSnapshot snapshot) {
        return VirtualMachineSnapshot.IN_PROGRESS.equals(result(snapshot));
    }

    /** Succeeded (once ready), Failed, or InProgress. */
    private static String result(VirtualMachineSnapshot snapshot) {
        VirtualMachineSnapshot.Status s = snapshot.getStatus();
        if (s != null && VirtualMachineSnapshot.FAILED.equals(s.phase)) {
            return VirtualMachineSnapshot.FAILED;
        }
        if (s != null && VirtualMachineSnapshot.SUCCEEDED.equals(s.phase) && Boolean.TRUE.equals(s.readyToUse)) {
            return VirtualMachineSnapshot.SUCCEEDED;
        }
        return VirtualMachineSnapshot.IN_PROGRESS;
    }

    private static String source(VirtualMachineSnapshot snapshot) {
        return snapshot.getSpec() == null || snapshot.getSpec().source == null ? "" : snapshot.getSpec().source.name;
    }

    private static String label(VirtualMachineSnapshot snapshot, String key) {
        Map<String, String> labels = snapshot.getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault(key, "");
    }

    static Instant parse(String time) {
        return time == null ? null : Instant.parse(time);
    }

    static Condition reconciled(boolean ok, String reason, String message) {
        return Conditions.of(Condition::new, VirtualMachineSnapshotSchedule.CONDITION_RECONCILED, ok, reason, message);
    }
}
