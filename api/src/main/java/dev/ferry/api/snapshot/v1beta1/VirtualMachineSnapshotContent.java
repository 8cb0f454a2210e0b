package dev.ferry.api.snapshot.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.kubevirt.v1.VmSpec;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * What a VirtualMachineSnapshot holds ({@code vmsnapshot-content-<snapshot uid>}): the VM as it
 * was, and per volume the claim it had and the VolumeSnapshot of it.
 */
@Group(VirtualMachineSnapshot.GROUP)
@Version(VirtualMachineSnapshot.VERSION)
@ShortNames({"vmsnapshotcontent", "vmsnapshotcontents"})
@AdditionalPrinterColumn(name = "ReadyToUse", jsonPath = ".status.readyToUse", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "CreationTime", jsonPath = ".status.creationTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Error", jsonPath = ".status.error.message")
public class VirtualMachineSnapshotContent extends CustomResource<VirtualMachineSnapshotContent.Spec,
        VirtualMachineSnapshotContent.Status> implements Namespaced {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public String virtualMachineSnapshotName;
        public Source source;
        public List<VolumeBackup> volumeBackups;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Source {
        public SourceVirtualMachine virtualMachine;
    }

    /** The VM as it was: its metadata (name, labels, annotations) and spec. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SourceVirtualMachine {
        public ObjectMeta metadata;
        public VmSpec spec;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeBackup {
        public String volumeName;
        public ClaimTemplate persistentVolumeClaim;
        public String volumeSnapshotName;
    }

    /** A claim as it was: metadata and spec. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ClaimTemplate {
        public ObjectMeta metadata;
        public PersistentVolumeClaimSpec spec;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String creationTime;
        public Boolean readyToUse;
        public SnapshotError error;
        public List<VolumeSnapshotStatus> volumeSnapshotStatus;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeSnapshotStatus {
        public String volumeSnapshotName;
        public String creationTime;
        public Boolean readyToUse;
        public SnapshotError error;
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
