package dev.ferry.api.kubevirt.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** {@code VirtualMachineInstance.status}, as KubeVirt reports it (plus {@code accelerator}, Ferry's). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VmiStatus {
    public static final String PENDING = "Pending";
    public static final String SCHEDULING = "Scheduling";
    public static final String SCHEDULED = "Scheduled";
    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String AGENT_CONNECTED = "AgentConnected";

    /** Pending, Scheduling, Scheduled, Running, Succeeded, Failed. */
    public String phase;
    public String reason;
    public String nodeName;
    public List<Condition> conditions;
    public MigrationState migrationState;
    /** {@code frozen} while the guest agent holds the guest's filesystems frozen (for a snapshot), else absent. */
    public String fsFreezeStatus;
    /** Ferry: how QEMU runs the guest, {@code kvm} or {@code tcg} (no usable /dev/kvm). */
    public String accelerator;
    /** Ferry: the launcher Pod running the guest now. */
    public String launcherPod;

    /** A KubeVirt condition, with its probe time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Condition extends dev.ferry.api.meta.Condition {
        public String lastProbeTime;

        public Condition() {
        }

        public Condition(String type, String status, String reason, String message) {
            this.type = type;
            this.status = status;
            this.reason = reason;
            this.message = message;
        }
    }

    /** The last (or current) migration of this VMI. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class MigrationState {
        public String migrationUid;
        public String sourceNode;
        public String targetNode;
        public String sourcePod;
        public String targetPod;
        /** Where the target launcher takes the guest's memory (tcp://host:port): set once the target is ready. */
        public String targetNodeAddress;
        public String startTimestamp;
        public String endTimestamp;
        /** PreCopy. */
        public String mode;
        public Boolean completed;
        public Boolean failed;
        public Boolean abortRequested;
        public String failureReason;
        /** Ferry: the pause QEMU reported for the switch-over, and the migration job's elapsed time (QEMU's statistics). */
        public Long downtimeMillis;
        public Long totalMillis;
        /** Ferry: the wall time of the whole libvirt migration call (target QEMU started, memory sent, finished). */
        public Long callMillis;
    }
}
