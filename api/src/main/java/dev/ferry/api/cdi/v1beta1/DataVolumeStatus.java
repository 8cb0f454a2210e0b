package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import java.util.List;

/** Observed state of a DataVolume, shaped as CDI reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeStatus {
    public String claimName;
    @PrinterColumn(name = "Phase")
    public String phase;
    @PrinterColumn(name = "Progress")
    public String progress;
    @PrinterColumn(name = "Restarts")
    public Integer restartCount;
    public List<DataVolumeCondition> conditions;
}
