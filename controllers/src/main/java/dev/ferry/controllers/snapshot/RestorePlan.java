package dev.ferry.controllers.snapshot;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a reconcile of a VirtualMachineRestore decided, applied in this order: own the restore by
 * its target, stop the target, mark it ({@code status.restoreInProgress}), annotate DataVolumes whose
 * claims are replaced in place, delete, create claims, create or rewrite the VM (its controller then
 * makes the pre-populated DataVolumes of its templates), adopt claims, unmark, status.
 *
 * @param owner the owner reference to put on the restore (its target VM), or null
 * @param stopTarget stop the target VM (targetReadinessPolicy StopTarget)
 * @param mark the target's {@code status.restoreInProgress}: {@link Mark#MARK} sets it to this restore, UNMARK clears it
 * @param annotateDataVolumes annotations to add to DataVolumes before their claims are replaced, by DataVolume name
 * @param delete objects to delete (claims replaced in place; at the end, DataVolumes the VM no longer has)
 * @param createClaims the restored claims to create
 * @param createVm the new target VM, or null
 * @param updateVm the existing target as rewritten (spec and annotations), or null
 * @param adoptClaims restored claims to give an owner reference to the target VM
 */
public record RestorePlan(OwnerReference owner, boolean stopTarget, Mark mark, Map<String, Map<String, String>> annotateDataVolumes,
        List<HasMetadata> delete, List<PersistentVolumeClaim> createClaims, VirtualMachine createVm,
        VirtualMachine updateVm, List<PersistentVolumeClaim> adoptClaims, VirtualMachineRestore.Status status, boolean removeFinalizer,
        Event event, Duration requeueAfter) {

    public enum Mark { NONE, MARK, UNMARK }
}
