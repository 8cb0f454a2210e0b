package dev.ferry.controllers.migration;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile of a migration reads.
 *
 * @param vmi the VMI it moves, or null
 * @param targets the target launcher Pods created for this migration
 * @param source the Pod the VMI's migration state names as its source, or null
 * @param claims the VMI's claims (read only for a Pending migration, which needs them for its target Pod)
 * @param waiting why the VMI's claims are not ready, or null
 * @param podSuffix the random suffix a new target Pod would get
 */
public record MigrationObserved(VirtualMachineInstanceMigration migration, VirtualMachineInstance vmi, List<Pod> targets, Pod source,
        Map<String, PersistentVolumeClaim> claims, String waiting, String podSuffix, Instant now) {

    /** The VMI's migration state when it is this migration's, else null. */
    public VmiStatus.MigrationState state() {
        VmiStatus.MigrationState state = vmi == null || vmi.getStatus() == null ? null : vmi.getStatus().migrationState;
        return state != null && migration.getMetadata().getUid().equals(state.migrationUid) ? state : null;
    }
}
