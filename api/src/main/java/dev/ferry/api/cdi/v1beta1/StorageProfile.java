package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * CDI's StorageProfile (cluster-scoped, one per storage class, same name): how to complete a
 * DataVolume's {@code spec.storage} for that class — access modes and volume mode — and, in
 * Ferry, the class's filesystem overhead (CDI keeps that in CDIConfig).
 */
@Group(DataVolume.GROUP)
@Version(DataVolume.VERSION)
public class StorageProfile extends CustomResource<StorageProfile.Spec, StorageProfile.Status> {

    /** CDI's clone strategies: a host-assisted copy, a snapshot then a claim from it, or the CSI driver's own clone. */
    public static final String COPY = "copy";
    public static final String SNAPSHOT = "snapshot";
    public static final String CSI_CLONE = "csi-clone";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        /** copy, snapshot or csi-clone: overrides what the status recommends. */
        public String cloneStrategy;
        public List<ClaimPropertySet> claimPropertySets;
        public String snapshotClass;
        public String dataImportCronSourceFormat;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String storageClass;
        public String provisioner;
        /** copy, snapshot or csi-clone. */
        public String cloneStrategy;
        public List<ClaimPropertySet> claimPropertySets;
        /** The VolumeSnapshotClass for snapshots of this class's volumes. */
        public String snapshotClass;
        /** pvc or snapshot: how DataImportCron keeps its imports on this class. */
        public String dataImportCronSourceFormat;
        /** Ferry: the share of a filesystem volume lost to the filesystem, e.g. "0.055". */
        public String filesystemOverhead;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ClaimPropertySet {
        public List<String> accessModes;
        public String volumeMode;
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
