package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Observed state of a DataVolume, shaped as CDI reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeStatus {
    public String claimName;
    public String phase;
    public String progress;
    public Integer restartCount;
    public List<DataVolumeCondition> conditions;
}
