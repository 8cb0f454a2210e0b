package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/** CDI's DataSource: a named pointer to a golden image (a PVC or a snapshot) that DataVolumes use via {@code sourceRef}. */
@Group(DataVolume.GROUP)
@Version(DataVolume.VERSION)
@ShortNames({"das"})
public class DataSource extends CustomResource<DataSource.Spec, DataSource.Status> implements Namespaced {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public Source source;
    }

    /** Exactly one: a claim, a VolumeSnapshot, or another DataSource (one level, same namespace). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Source {
        public DataVolumeSource.ObjectRef pvc;
        public DataVolumeSource.ObjectRef snapshot;
        public DataVolumeSource.ObjectRef dataSource;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public Source source;
        public List<DataVolumeCondition> conditions;
    }

    @Override
    protected Spec initSpec() {
        return null;
    }

    @Override
    protected Status initStatus() {
        return null;
    }
}
