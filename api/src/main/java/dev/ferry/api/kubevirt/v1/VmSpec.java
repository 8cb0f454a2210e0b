package dev.ferry.api.kubevirt.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.cdi.v1beta1.DataVolumeSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/** {@code VirtualMachine.spec}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VmSpec {
    public static final String ALWAYS = "Always";
    public static final String RERUN_ON_FAILURE = "RerunOnFailure";
    public static final String MANUAL = "Manual";
    public static final String HALTED = "Halted";
    public static final String ONCE = "Once";
    public static final List<String> RUN_STRATEGIES = List.of(ALWAYS, RERUN_ON_FAILURE, MANUAL, HALTED, ONCE);

    /** The older switch: true is runStrategy Always, false is Halted. Not together with runStrategy. */
    public Boolean running;
    public String runStrategy;
    public Template template;
    public List<DataVolumeTemplate> dataVolumeTemplates;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Template {
        public ObjectMeta metadata;
        public VmiSpec spec;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DataVolumeTemplate {
        public ObjectMeta metadata;
        public DataVolumeSpec spec;
    }
}
