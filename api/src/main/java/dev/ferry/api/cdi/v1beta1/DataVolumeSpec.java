package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import java.util.List;

/** The DataVolume spec, as CDI defines it, plus Ferry's optional {@code checksum}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeSpec {
    @JsonPropertyDescription("Source is the src of the data for the requested DataVolume")
    public DataVolumeSource source;
    @JsonPropertyDescription("SourceRef is an indirect reference to the source of data for the requested DataVolume")
    public DataVolumeSourceRef sourceRef;
    @JsonPropertyDescription("PVC is the PVC specification, used as given")
    public PersistentVolumeClaimSpec pvc;
    @JsonPropertyDescription("Storage is the requested storage specification, completed from the StorageProfile")
    public StorageSpec storage;
    @JsonPropertyDescription("PriorityClassName for Importer, Cloner and Uploader pod")
    public String priorityClassName;
    @JsonPropertyDescription("DataVolumeContentType options: \"kubevirt\", \"archive\"")
    public String contentType;
    @JsonPropertyDescription("Checkpoints is a list of DataVolumeCheckpoints, representing stages in a multistage import")
    public List<DataVolumeCheckpoint> checkpoints;
    @JsonPropertyDescription("FinalCheckpoint indicates whether the current DataVolumeCheckpoint is the final checkpoint")
    public Boolean finalCheckpoint;
    @JsonPropertyDescription("Preallocation controls whether storage for DataVolumes should be allocated in advance")
    public Boolean preallocation;
    @JsonPropertyDescription("Ferry extension: checksum of the source bytes as algo:hex (md5, sha1, sha256, sha512)")
    public String checksum;
}
