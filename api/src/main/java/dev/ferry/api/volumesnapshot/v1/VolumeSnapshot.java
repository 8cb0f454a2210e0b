package dev.ferry.api.volumesnapshot.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The CSI snapshot API's VolumeSnapshot ({@code snapshot.storage.k8s.io/v1}), written from the
 * external-snapshotter's documented fields: a request for a snapshot of a claim, or a binding to
 * a pre-provisioned VolumeSnapshotContent.
 */
@Group(VolumeSnapshot.GROUP)
@Version(VolumeSnapshot.VERSION)
@ShortNames({"vs"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "ReadyToUse", jsonPath = ".status.readyToUse", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.BOOLEAN)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "SourcePVC", jsonPath = ".spec.source.persistentVolumeClaimName")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "SourceSnapshotContent", jsonPath = ".spec.source.volumeSnapshotContentName")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "RestoreSize", jsonPath = ".status.restoreSize")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "SnapshotClass", jsonPath = ".spec.volumeSnapshotClassName")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "SnapshotContent", jsonPath = ".status.boundVolumeSnapshotContentName")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "CreationTime", jsonPath = ".status.creationTime", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.DATE)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.DATE)
public class VolumeSnapshot extends CustomResource<VolumeSnapshot.Spec, VolumeSnapshot.Status> implements Namespaced {
    public static final String GROUP = "snapshot.storage.k8s.io";
    public static final String VERSION = "v1";
    public static final String KIND = "VolumeSnapshot";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public Source source;
        /** The class, or null for the default class of the claim's driver. */
        public String volumeSnapshotClassName;
    }

    /** Exactly one: the claim to snapshot, or the content to bind (pre-provisioned). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Source {
        public String persistentVolumeClaimName;
        public String volumeSnapshotContentName;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String boundVolumeSnapshotContentName;
        /** RFC 3339. */
        public String creationTime;
        public Boolean readyToUse;
        public Quantity restoreSize;
        public SnapshotError error;
        public String volumeGroupSnapshotName;
    }

    /** What went wrong, and when (RFC 3339). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SnapshotError {
        public String time;
        public String message;
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
