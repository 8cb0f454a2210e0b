package dev.ferry.api.kubevirt.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** {@code VirtualMachine.status}, as KubeVirt reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VmStatus {
    /**
     * Stopped, Provisioning, Starting, Running, Paused, Stopping, Terminating, Migrating,
     * WaitingForVolumeBinding, ErrorUnschedulable, DataVolumeError, CrashLoopBackOff, Unknown.
     */
    public String printableStatus;
    public Boolean created;
    public Boolean ready;
    /** The strategy in effect (spec.runStrategy, or what spec.running means). */
    public String runStrategy;
    public List<VmiStatus.Condition> conditions;
    /** Start and stop requests ({@code ferry start|stop|restart} on a Manual VM, and restarts). */
    public List<StateChangeRequest> stateChangeRequests;
    public StartFailure startFailure;
    /** The VirtualMachineSnapshot holding the VM (set by the snapshot controller; blocks start, stop and volume changes). */
    public String snapshotInProgress;
    /** The VirtualMachineRestore rewriting the VM (blocks run strategy changes). */
    public String restoreInProgress;
    /** Per volume, whether it can be snapshotted and why not. */
    public List<VolumeSnapshotStatus> volumeSnapshotStatuses;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeSnapshotStatus {
        public String name;
        public Boolean enabled;
        public String reason;

        public VolumeSnapshotStatus() {
        }

        public VolumeSnapshotStatus(String name, boolean enabled, String reason) {
            this.name = name;
            this.enabled = enabled;
            this.reason = reason;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StateChangeRequest {
        public static final String START = "Start";
        public static final String STOP = "Stop";

        /** Start or Stop. */
        public String action;
        /** For Stop: the VMI to stop (a request for an older VMI is dropped). */
        public String uid;

        public StateChangeRequest() {
        }

        public StateChangeRequest(String action, String uid) {
            this.action = action;
            this.uid = uid;
        }
    }

    /** KubeVirt's start-failure back-off: 10 s × retries², at most 300 s. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StartFailure {
        public Integer retries;
        public String lastFailedVMIUID;
        public String retryAfterTimestamp;
    }
}
