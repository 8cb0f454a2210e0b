package dev.ferry.api.kubevirt.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** {@code VirtualMachineInstance.status}, as KubeVirt reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VmiStatus {
    /** Pending, Scheduling, Scheduled, Running, Succeeded, Failed. */
    public String phase;
    public String reason;
    public String nodeName;
    public List<Condition> conditions;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Condition {
        public String type;
        public String status;
        public String reason;
        public String message;
        public String lastTransitionTime;
        public String lastProbeTime;
    }
}
