package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.meta.Condition;
import dev.ferry.controllers.runtime.Conditions;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** CDI's three DataVolume conditions, and the rule that a status is written only when it changed. */
public final class DataVolumeConditions {
    private DataVolumeConditions() {
    }

    public static DataVolumeCondition of(String type, boolean status, String reason, String message) {
        return Conditions.of(DataVolumeCondition::new, type, status, reason, message);
    }

    public static DataVolumeCondition unknown(String type, String reason, String message) {
        return Conditions.of(DataVolumeCondition::new, type, Condition.UNKNOWN, reason, message);
    }

    /** Ready is True only when the DataVolume succeeded. */
    public static DataVolumeCondition ready(String phase, String reason, String message) {
        return of(Phases.CONDITION_READY, Phases.SUCCEEDED.equals(phase), reason, message);
    }

    /** CDI's status: the phase, progress ("N/A" when unknown), the restart count kept, and Bound, Ready, Running. */
    public static DataVolumeStatus status(DataVolume dv, PersistentVolumeClaim pvc, String phase, String progress,
            DataVolumeCondition ready, DataVolumeCondition running) {
        DataVolumeStatus status = new DataVolumeStatus();
        status.phase = phase;
        status.progress = progress != null ? progress : "N/A";
        status.restartCount = dv.getStatus() == null || dv.getStatus().restartCount == null ? 0 : dv.getStatus().restartCount;
        status.claimName = pvc == null ? null : pvc.getMetadata().getName();
        status.conditions = new java.util.ArrayList<>(List.of(bound(pvc), ready, running));
        return status;
    }

    /** Bound from the claim: Unknown without one, True once it is bound. */
    public static DataVolumeCondition bound(PersistentVolumeClaim pvc) {
        if (pvc == null) {
            return unknown(Phases.CONDITION_BOUND, "", "no claim yet");
        }
        String name = pvc.getMetadata().getName();
        if (pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())) {
            return of(Phases.CONDITION_BOUND, true, Reasons.BOUND, "PVC " + name + " Bound");
        }
        return of(Phases.CONDITION_BOUND, false, Reasons.CLAIM_PENDING, "PVC " + name + " Pending");
    }

    public static DataVolumeCondition notRunning(String reason) {
        return of(Phases.CONDITION_RUNNING, false, reason, null);
    }

    public static DataVolumeCondition find(DataVolumeStatus status, String type) {
        return status == null ? null : Conditions.find(status.conditions, type);
    }

    /**
     * The status to write: {@code desired} with each condition's transition time kept from
     * {@code current} while its status is unchanged, and its heartbeat while it says the same.
     */
    public static DataVolumeStatus stamp(DataVolumeStatus desired, DataVolumeStatus current, Instant now) {
        List<DataVolumeCondition> before = current == null ? null : current.conditions;
        desired.conditions = Conditions.stamp(desired.conditions, before, now);
        for (DataVolumeCondition condition : desired.conditions) {
            DataVolumeCondition old = Conditions.find(before, condition.type);
            condition.lastHeartbeatTime = old != null && old.sameAs(condition) && old.lastHeartbeatTime != null
                    ? old.lastHeartbeatTime : now.toString();
        }
        return desired;
    }

    /** Whether two statuses say the same (timestamps aside): if so, nothing is written. */
    public static boolean same(DataVolumeStatus a, DataVolumeStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.phase, b.phase) && Objects.equals(a.progress, b.progress)
                && Objects.equals(a.restartCount, b.restartCount) && Objects.equals(a.claimName, b.claimName)
                && Conditions.same(a.conditions, b.conditions);
    }
}
