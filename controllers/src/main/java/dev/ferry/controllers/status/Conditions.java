package dev.ferry.controllers.status;

import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** CDI's three DataVolume conditions, and the rule that a status is written only when it changed. */
public final class Conditions {
    private Conditions() {
    }

    public static DataVolumeCondition of(String type, boolean status, String reason, String message) {
        DataVolumeCondition condition = new DataVolumeCondition();
        condition.type = type;
        condition.status = status ? "True" : "False";
        condition.reason = reason;
        condition.message = message;
        return condition;
    }

    public static DataVolumeCondition unknown(String type, String reason, String message) {
        DataVolumeCondition condition = of(type, false, reason, message);
        condition.status = "Unknown";
        return condition;
    }

    /**
     * The status to write: {@code desired} with each condition's transition time kept from
     * {@code current} when the condition did not change, else {@code now}.
     */
    public static DataVolumeStatus stamp(DataVolumeStatus desired, DataVolumeStatus current, Instant now) {
        List<DataVolumeCondition> stamped = new ArrayList<>();
        for (DataVolumeCondition condition : desired.conditions == null ? List.<DataVolumeCondition>of() : desired.conditions) {
            DataVolumeCondition before = find(current, condition.type);
            condition.lastTransitionTime = before != null && Objects.equals(before.status, condition.status)
                    && before.lastTransitionTime != null ? before.lastTransitionTime : now.toString();
            condition.lastHeartbeatTime = before != null && sameCondition(before, condition) && before.lastHeartbeatTime != null
                    ? before.lastHeartbeatTime : now.toString();
            stamped.add(condition);
        }
        desired.conditions = stamped;
        return desired;
    }

    /** Whether two statuses say the same (timestamps aside): if so, nothing is written. */
    public static boolean same(DataVolumeStatus a, DataVolumeStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!Objects.equals(a.phase, b.phase) || !Objects.equals(a.progress, b.progress)
                || !Objects.equals(a.restartCount, b.restartCount) || !Objects.equals(a.claimName, b.claimName)) {
            return false;
        }
        List<DataVolumeCondition> left = a.conditions == null ? List.of() : a.conditions;
        List<DataVolumeCondition> right = b.conditions == null ? List.of() : b.conditions;
        if (left.size() != right.size()) {
            return false;
        }
        for (DataVolumeCondition condition : left) {
            DataVolumeCondition other = find(b, condition.type);
            if (other == null || !sameCondition(condition, other)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameCondition(DataVolumeCondition a, DataVolumeCondition b) {
        return Objects.equals(a.status, b.status) && Objects.equals(a.reason, b.reason)
                && Objects.equals(a.message, b.message);
    }

    public static DataVolumeCondition find(DataVolumeStatus status, String type) {
        if (status == null || status.conditions == null) {
            return null;
        }
        return status.conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    /** Ready is True only when the DataVolume succeeded. */
    public static DataVolumeCondition ready(String phase, String reason, String message) {
        return of(Phases.CONDITION_READY, Phases.SUCCEEDED.equals(phase), reason, message);
    }
}
