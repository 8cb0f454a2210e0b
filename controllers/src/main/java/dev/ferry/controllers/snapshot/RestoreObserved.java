package dev.ferry.controllers.snapshot;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Instant;
import java.util.Map;

/**
 * Everything one reconcile of a VirtualMachineRestore reads.
 *
 * @param target the target VM, or null when it does not exist (yet)
 * @param targetVmi the target's VMI, or null
 * @param snapshot the snapshot restored from, or null
 * @param content its content, or null
 * @param volumeSnapshots the content's VolumeSnapshots, by name
 * @param claims the claims of the names the restore makes (and, in place, the originals), by name
 * @param dataVolumes the DataVolumes of those names and of the target's templates, by name
 * @param bindingModes each storage class's volumeBindingMode, by class name
 */
public record RestoreObserved(VirtualMachineRestore restore, VirtualMachine target, VirtualMachineInstance targetVmi,
        VirtualMachineSnapshot snapshot, VirtualMachineSnapshotContent content, Map<String, VolumeSnapshot> volumeSnapshots,
        Map<String, PersistentVolumeClaim> claims, Map<String, DataVolume> dataVolumes, Map<String, String> bindingModes, Instant now) {
}
