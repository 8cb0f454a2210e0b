package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A DataVolume condition (Bound, Ready, Running); timestamps are RFC 3339 strings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeCondition {
    public String type;
    public String status;
    public String lastTransitionTime;
    public String lastHeartbeatTime;
    public String reason;
    public String message;
}
