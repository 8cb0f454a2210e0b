package dev.ferry.api.volumesnapshot.v1;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Map;

/**
 * The CSI snapshot API's VolumeSnapshotClass (cluster-scoped): a driver's snapshots and what
 * happens to them. Its fields sit at the top level, beside metadata, as the external-snapshotter
 * defines them (no spec). The default class of a driver carries {@value #DEFAULT_ANNOTATION}.
 */
@Group(VolumeSnapshot.GROUP)
@Version(VolumeSnapshot.VERSION)
@ShortNames({"vsclass", "vsclasses"})
public class VolumeSnapshotClass extends CustomResource<VolumeSnapshotClass.None, VolumeSnapshotClass.None> {
    public static final String DEFAULT_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";

    /** VolumeSnapshotClass has neither spec nor status. */
    public static final class None implements KubernetesResource {
    }

    public String driver;
    public Map<String, String> parameters;
    /** Delete or Retain. */
    public String deletionPolicy;

    @Override
    protected None initSpec() {
        return null;
    }

    @Override
    protected None initStatus() {
        return null;
    }

    /** Whether this is its driver's default class. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isDefault() {
        return getMetadata().getAnnotations() != null && "true".equals(getMetadata().getAnnotations().get(DEFAULT_ANNOTATION));
    }
}
