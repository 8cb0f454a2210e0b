package dev.ferry.controllers.snapshot;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile of a VirtualMachineSnapshot reads.
 *
 * @param vm the source VM, or null when it does not exist
 * @param vmi its VMI, or null (the VM is offline)
 * @param content the snapshot's content, or null
 * @param volumes the VM's volumes, in its order, as a snapshot sees them
 * @param volumeSnapshots the content's VolumeSnapshots that exist, by name
 * @param freezeError why freezing the guest failed in this reconcile, or null (not tried, or it worked)
 */
public record SnapshotObserved(VirtualMachineSnapshot snapshot, VirtualMachine vm, VirtualMachineInstance vmi,
        VirtualMachineSnapshotContent content, List<VmVolume> volumes, Map<String, VolumeSnapshot> volumeSnapshots, Instant now,
        String freezeError) {

    public SnapshotObserved withFreezeError(String error) {
        return new SnapshotObserved(snapshot, vm, vmi, content, volumes, volumeSnapshots, now, error);
    }
}
