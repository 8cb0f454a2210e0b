package dev.ferry.api.snapshot.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.meta.Condition;

/** A condition of KubeVirt's snapshot, restore and clone objects (Ready, Progressing, Failure), with its probe time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotCondition extends Condition {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String FAILURE = "Failure";
    public String lastProbeTime;
}
