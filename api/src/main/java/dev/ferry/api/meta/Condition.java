package dev.ferry.api.meta;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * What every Kubernetes status condition has: a type, True/False/Unknown, a reason, a message and
 * when its status last changed (RFC 3339). CDI's and KubeVirt's conditions extend it with their
 * own heartbeat or probe times.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    public String type;
    public String status;
    public String reason;
    public String message;
    public String lastTransitionTime;

    /** Whether {@code other} says the same: type, status, reason and message (times aside). */
    public boolean sameAs(Condition other) {
        return other != null && Objects.equals(type, other.type) && Objects.equals(status, other.status)
                && Objects.equals(reason, other.reason) && Objects.equals(message, other.message);
    }

    @JsonIgnore
    public boolean isTrue() {
        return TRUE.equals(status);
    }
}
