package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.TypedLocalObjectReference;
import io.fabric8.kubernetes.api.model.TypedObjectReference;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirements;
import java.util.List;

/** CDI's {@code spec.storage}: a PVC spec whose omitted fields come from the StorageProfile. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    public List<String> accessModes;
    public LabelSelector selector;
    public VolumeResourceRequirements resources;
    public String volumeName;
    public String storageClassName;
    public String volumeMode;
    public TypedLocalObjectReference dataSource;
    public TypedObjectReference dataSourceRef;
}
