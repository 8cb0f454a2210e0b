package dev.ferry.controllers.datasource;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import java.util.List;

/**
 * A DataSource's status as CDI's DataSource controller writes it: {@code Ready} with CDI's reasons,
 * and {@code status.source} — the resolved claim or snapshot — only while it is ready.
 */
public final class DataSourceDecision {
    public static final String READY = "Ready";
    public static final String SNAPSHOT_NOT_READY = "SnapshotNotReady";

    private DataSourceDecision() {
    }

    public static DataSource.Status decide(DataSourceObserved o) {
        DataSourceReference reference = o.reference();
        if (reference.source() == null) {
            return notReady(reference.reason(), reference.message());
        }
        if (reference.source().snapshot != null) {
            if (o.snapshot() == null) {
                return notReady(DataSourceReference.NOT_FOUND, "Snapshot not found");
            }
            if (o.snapshot().getStatus() == null || !Boolean.TRUE.equals(o.snapshot().getStatus().readyToUse)) {
                return notReady(SNAPSHOT_NOT_READY, "Snapshot not ready");
            }
            return ready(reference.source());
        }
        if (o.dataVolume() != null) {
            String phase = o.dataVolume().getStatus() == null || o.dataVolume().getStatus().phase == null ? Phases.PENDING
                    : o.dataVolume().getStatus().phase;
            return Phases.SUCCEEDED.equals(phase) ? ready(reference.source()) : notReady(phase, "Import DataVolume phase " + phase);
        }
        return o.pvc() == null ? notReady(DataSourceReference.NOT_FOUND, "PVC not found") : ready(reference.source());
    }

    private static DataSource.Status ready(DataSource.Source source) {
        DataSource.Status status = new DataSource.Status();
        status.source = source;
        status.conditions = List.of(DataVolumeConditions.of(Phases.CONDITION_READY, true, READY, "DataSource is ready to be consumed"));
        return status;
    }

    private static DataSource.Status notReady(String reason, String message) {
        DataSource.Status status = new DataSource.Status();
        DataVolumeCondition condition = DataVolumeConditions.of(Phases.CONDITION_READY, false, reason, message);
        status.conditions = List.of(condition);
        return status;
    }
}
