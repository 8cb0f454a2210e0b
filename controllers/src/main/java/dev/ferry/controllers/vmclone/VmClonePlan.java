package dev.ferry.controllers.vmclone;

import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * What a reconcile of a VirtualMachineClone decided: the temporary snapshot or restore to create,
 * the temporaries to remove once it ended, its status.
 */
public record VmClonePlan(VirtualMachineSnapshot createSnapshot, VirtualMachineRestore createRestore, List<HasMetadata> delete,
        VirtualMachineClone.Status status, Event event, Duration requeueAfter) {
}
