package dev.ferry.api.volumesnapshot.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The CSI snapshot API's VolumeSnapshotContent (cluster-scoped): the snapshot as the storage has
 * it, bound to one VolumeSnapshot. Note the status times and sizes are plain numbers, as the
 * external-snapshotter writes them: {@code creationTime} in Unix nanoseconds, {@code restoreSize} in bytes.
 */
@Group(VolumeSnapshot.GROUP)
@Version(VolumeSnapshot.VERSION)
@ShortNames({"vsc", "vscs"})
public class VolumeSnapshotContent extends CustomResource<VolumeSnapshotContent.Spec, VolumeSnapshotContent.Status> {
    public static final String DELETE = "Delete";
    public static final String RETAIN = "Retain";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public Reference volumeSnapshotRef;
        /** Delete or Retain: whether the storage's snapshot goes with this object. */
        public String deletionPolicy;
        public String driver;
        public String volumeSnapshotClassName;
        public Source source;
        public String sourceVolumeMode;
    }

    /** The VolumeSnapshot this content is bound to. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Reference {
        public String name;
        public String namespace;
        public String uid;
    }

    /** Exactly one: the volume to snapshot (dynamic), or the storage's existing snapshot (pre-provisioned). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Source {
        public String volumeHandle;
        public String snapshotHandle;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String snapshotHandle;
        public Long creationTime;
        public Long restoreSize;
        public Boolean readyToUse;
        public VolumeSnapshot.SnapshotError error;
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
