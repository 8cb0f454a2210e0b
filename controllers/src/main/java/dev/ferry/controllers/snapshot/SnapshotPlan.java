package dev.ferry.controllers.snapshot;

import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * What a reconcile of a VirtualMachineSnapshot decided, applied in this order: thaw or freeze the
 * guest, lock or unlock the VM, create the content, create VolumeSnapshots (only if the freeze,
 * when asked, worked), write the content's status, release and delete what goes, write the
 * snapshot's status, drop the snapshot's finalizer.
 *
 * @param guest what to ask of the guest's agent
 * @param lock {@link Lock#LOCK}: the VM's {@code status.snapshotInProgress} and finalizer; UNLOCK removes both
 * @param volumeSnapshotStatuses the VM's {@code status.volumeSnapshotStatuses} to write, or null
 * @param createContent the content to create, or null
 * @param createVolumeSnapshots VolumeSnapshots to create
 * @param contentStatus the content's status to write, or null
 * @param releaseContent drop the content's finalizer (it goes, or stays on its own under Retain)
 * @param delete objects to delete (the content and its VolumeSnapshots)
 * @param status the snapshot's status
 * @param removeFinalizer let the deleted snapshot go
 */
public record SnapshotPlan(Guest guest, Lock lock, List<VmStatus.VolumeSnapshotStatus> volumeSnapshotStatuses,
        VirtualMachineSnapshotContent createContent, List<VolumeSnapshot> createVolumeSnapshots,
        VirtualMachineSnapshotContent.Status contentStatus, boolean releaseContent, List<HasMetadata> delete,
        VirtualMachineSnapshot.Status status, boolean removeFinalizer, Event event, Duration requeueAfter) {

    public enum Guest { NONE, FREEZE, THAW }

    public enum Lock { NONE, LOCK, UNLOCK }
}
