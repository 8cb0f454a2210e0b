package dev.ferry.controllers.schedule;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import java.time.Instant;
import java.util.List;

/**
 * What a VirtualMachineSnapshotSchedule's decision reads: the schedule, the VMs of its namespace
 * (all; the decision selects), the VirtualMachineSnapshots labelled with its name, and now.
 */
public record VmScheduleObserved(VirtualMachineSnapshotSchedule schedule, List<VirtualMachine> vms,
        List<VirtualMachineSnapshot> snapshots, Instant now) {
}
