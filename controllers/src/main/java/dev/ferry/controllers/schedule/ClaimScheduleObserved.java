package dev.ferry.controllers.schedule;

import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Instant;
import java.util.List;

/**
 * What a snapscheduler SnapshotSchedule's decision reads: the schedule, the claims of its namespace
 * (all; the decision selects), the VolumeSnapshots labelled with its name, and now.
 */
public record ClaimScheduleObserved(SnapshotSchedule schedule, List<PersistentVolumeClaim> claims, List<VolumeSnapshot> snapshots,
        Instant now) {
}
