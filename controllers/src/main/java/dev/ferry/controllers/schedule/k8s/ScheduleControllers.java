package dev.ferry.controllers.schedule.k8s;

import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.controllers.schedule.ScheduleCounters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Collection;
import java.util.List;

/**
 * The VirtualMachineSnapshotSchedule and SnapshotSchedule controllers, each woken by its own
 * snapshots (found by the schedule's label) and otherwise by its requeue at the next run; the
 * snapscheduler kind only where the cluster serves it.
 */
public final class ScheduleControllers {
    private ScheduleControllers() {
    }

    public static InformerController<VirtualMachineSnapshotSchedule> vms(KubernetesClient client, Clock clock, ScheduleCounters counters) {
        return new InformerController<VirtualMachineSnapshotSchedule>("ferry-vmsnapshotschedules",
                c -> c.resources(VirtualMachineSnapshotSchedule.class).inAnyNamespace(), ScheduleReconcilers.vms(client, clock, counters))
                .watch(c -> c.resources(VirtualMachineSnapshot.class).inAnyNamespace().withLabel(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE),
                        (snapshot, store) -> byLabel(snapshot, VirtualMachineSnapshotSchedule.LABEL_SCHEDULE));
    }

    public static InformerController<SnapshotSchedule> claims(KubernetesClient client, Clock clock, ScheduleCounters counters) {
        return new InformerController<SnapshotSchedule>("ferry-snapshotschedules",
                c -> c.resources(SnapshotSchedule.class).inAnyNamespace(), ScheduleReconcilers.claims(client, clock, counters))
                .watchIfServed(c -> c.resources(VolumeSnapshot.class).inAnyNamespace().withLabel(SnapshotSchedule.LABEL_SCHEDULE),
                        (vs, store) -> byLabel(vs, SnapshotSchedule.LABEL_SCHEDULE));
    }

    private static Collection<ObjectKey> byLabel(HasMetadata snapshot, String label) {
        return List.of(new ObjectKey(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getLabels().get(label)));
    }
}
