package dev.ferry.controllers.vmclone;

import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import java.time.Instant;

/**
 * Everything one reconcile of a VirtualMachineClone reads.
 *
 * @param sourceVm the source VM (a VM source), or null
 * @param snapshot the snapshot cloned from: the clone's own temporary one, or the source snapshot; null while there is none
 * @param content that snapshot's content, or null
 * @param restore the clone's temporary restore, or null
 * @param target the target VM, or null
 * @param suffix five random characters for a target name the clone does not give
 */
public record VmCloneObserved(VirtualMachineClone vmClone, VirtualMachine sourceVm, VirtualMachineSnapshot snapshot,
        VirtualMachineSnapshotContent content, VirtualMachineRestore restore, VirtualMachine target, Instant now, String suffix) {
}
