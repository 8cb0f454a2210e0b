package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.meta.Condition;

/** A DataVolume condition (Bound, Ready, Running), with CDI's heartbeat time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeCondition extends Condition {
    public String lastHeartbeatTime;
}
