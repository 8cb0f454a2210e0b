package dev.ferry.controllers.schedule.k8s;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.meta.Condition;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.runtime.k8s.ConditionedStatus;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import dev.ferry.controllers.schedule.ClaimScheduleDecision;
import dev.ferry.controllers.schedule.ClaimScheduleObserved;
import dev.ferry.controllers.schedule.ScheduleCounters;
import dev.ferry.controllers.schedule.SchedulePlan;
import dev.ferry.controllers.schedule.VmScheduleDecision;
import dev.ferry.controllers.schedule.VmScheduleObserved;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The two snapshot schedules' thin reconcilers: observe (the schedule, its namespace's VMs or
 * claims, the snapshots labelled with its name), decide, then create, delete, record events and
 * counts, and write the status when it says something new.
 */
public final class ScheduleReconcilers {
    private static final ConditionedStatus<VirtualMachineSnapshotSchedule.Status, Condition> VM_STATUS = new ConditionedStatus<>(
            VirtualMachineSnapshotSchedule.Status.class, s -> s.conditions, (s, c) -> s.conditions = c, s -> s);
    private static final ConditionedStatus<SnapshotSchedule.Status, Condition> CLAIM_STATUS = new ConditionedStatus<>(
            SnapshotSchedule.Status.class, s -> s.conditions, (s, c) -> s.conditions = c, s -> s);
    private ScheduleReconcilers() {
    }

    /** VirtualMachineSnapshotSchedules. */
    public static Reconciler vms(KubernetesClient client, Clock clock, ScheduleCounters counters) {
        return new Base<VirtualMachineSnapshotSchedule, VirtualMachineSnapshotSchedule.Status, VirtualMachineSnapshot>(client, clock,
                counters, VirtualMachineSnapshotSchedule.class, VirtualMachineSnapshot.class) {
            @Override
            SchedulePlan<VirtualMachineSnapshotSchedule.Status> decide(VirtualMachineSnapshotSchedule schedule, List<VirtualMachineSnapshot> taken,
                    Instant now) {
                List<VirtualMachine> vms = client.resources(VirtualMachine.class).inNamespace(schedule.getMetadata().getNamespace())
                        .list().getItems();
                return VmScheduleDecision.decide(new VmScheduleObserved(schedule, vms, taken, now));
            }

            @Override
            String label() {
                return VirtualMachineSnapshotSchedule.LABEL_SCHEDULE;
            }

            @Override
            String next(VirtualMachineSnapshotSchedule.Status status) {
                return status.nextSnapshotTime;
            }

            @Override
            ConditionedStatus<VirtualMachineSnapshotSchedule.Status, Condition> status() {
                return VM_STATUS;
            }
        };
    }

    /** snapscheduler's SnapshotSchedules. */
    public static Reconciler claims(KubernetesClient client, Clock clock, ScheduleCounters counters) {
        return new Base<SnapshotSchedule, SnapshotSchedule.Status, VolumeSnapshot>(client, clock, counters, SnapshotSchedule.class,
                VolumeSnapshot.class) {
            @Override
            SchedulePlan<SnapshotSchedule.Status> decide(SnapshotSchedule schedule, List<VolumeSnapshot> taken, Instant now) {
                var claims = client.persistentVolumeClaims().inNamespace(schedule.getMetadata().getNamespace()).list().getItems();
                return ClaimScheduleDecision.decide(new ClaimScheduleObserved(schedule, claims, taken, now));
            }

            @Override
            String label() {
                return SnapshotSchedule.LABEL_SCHEDULE;
            }

            @Override
            String next(SnapshotSchedule.Status status) {
                return status.nextSnapshotTime;
            }

            @Override
            ConditionedStatus<SnapshotSchedule.Status, Condition> status() {
                return CLAIM_STATUS;
            }
        };
    }

    private abstract static class Base<T extends CustomResource<?, S>, S, N extends HasMetadata> implements Reconciler {
        final KubernetesClient client;
        private final Clock clock;
        private final ScheduleCounters counters;
        private final Class<T> type;
        private final Class<N> snapshotType;
        private final Apply apply;
        private final EventRecorder events;

        Base(KubernetesClient client, Clock clock, ScheduleCounters counters, Class<T> type, Class<N> snapshotType) {
            this.client = client;
            this.clock = clock;
            this.counters = counters;
            this.type = type;
            this.snapshotType = snapshotType;
            this.apply = new Apply(client);
            this.events = new EventRecorder(client, clock);
        }

        abstract SchedulePlan<S> decide(T schedule, List<N> taken, Instant now);

        abstract String label();

        abstract String next(S status);

        abstract ConditionedStatus<S, Condition> status();

        @Override
        public Duration reconcile(ObjectKey key) {
            T schedule = client.resources(type).inNamespace(key.namespace()).withName(key.name()).get();
            String kind = type.getSimpleName();
            if (schedule == null || schedule.getMetadata().getDeletionTimestamp() != null) {
                counters.forget(kind, key);
                return null;
            }
            List<N> taken = client.resources(snapshotType).inNamespace(key.namespace()).withLabel(label(), key.name()).list().getItems();
            SchedulePlan<S> plan = decide(schedule, taken, clock.instant());
            ScheduleCounters.Counts counts = counters.of(kind, key);
            for (HasMetadata created : plan.create()) {
                if (apply.create(created) == Apply.Result.CREATED) {
                    counts.taken.incrementAndGet();
                }
            }
            for (String gone : plan.delete()) {
                taken.stream().filter(n -> n.getMetadata().getName().equals(gone)).findFirst().ifPresent(n -> {
                    apply.delete(n);
                    counts.expired.incrementAndGet();
                });
            }
            counts.failed.addAndGet(plan.failed());
            String next = next(plan.status());
            counts.next = next == null ? null : Instant.parse(next);
            for (Event event : plan.events()) {
                events.record(schedule, event, Integer.toHexString(event.message().hashCode()));
            }
            status().write(apply, clock, schedule, plan.status());
            return plan.requeue();
        }
    }
}
