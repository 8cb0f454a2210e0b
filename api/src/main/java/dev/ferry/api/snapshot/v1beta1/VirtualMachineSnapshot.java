package dev.ferry.api.snapshot.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * KubeVirt's VirtualMachineSnapshot ({@code snapshot.kubevirt.io/v1beta1}): a point-in-time copy
 * of a VM — its spec and a VolumeSnapshot of every volume that can have one — consistent with the
 * guest's filesystems frozen when its guest agent answers.
 */
@Group(VirtualMachineSnapshot.GROUP)
@Version(VirtualMachineSnapshot.VERSION)
@ShortNames({"vmsnapshot", "vmsnapshots"})
@AdditionalPrinterColumn(name = "SourceKind", jsonPath = ".spec.source.kind")
@AdditionalPrinterColumn(name = "SourceName", jsonPath = ".spec.source.name")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "ReadyToUse", jsonPath = ".status.readyToUse", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "CreationTime", jsonPath = ".status.creationTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Error", jsonPath = ".status.error.message")
public class VirtualMachineSnapshot extends CustomResource<VirtualMachineSnapshot.Spec, VirtualMachineSnapshot.Status>
        implements Namespaced {
    public static final String GROUP = "snapshot.kubevirt.io";
    public static final String VERSION = "v1beta1";
    public static final String DELETE = "Delete";
    public static final String RETAIN = "Retain";
    public static final String IN_PROGRESS = "InProgress";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String DELETING = "Deleting";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public ObjectReference source;
        /** Delete (default) or Retain: what happens to the content when the snapshot goes. */
        public String deletionPolicy;
        /** How long the snapshot may take (Go duration, default 5m; 0s: no deadline and no safety auto-thaw). */
        public String failureDeadline;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String sourceUID;
        public String virtualMachineSnapshotContentName;
        public String creationTime;
        public String phase;
        public Boolean readyToUse;
        public SnapshotError error;
        public List<SnapshotCondition> conditions;
        /** Deprecated in KubeVirt: the indications' names. */
        public List<String> indications;
        public List<SourceIndication> sourceIndications;
        public SnapshotVolumes snapshotVolumes;
    }

    /** How the snapshot was taken: Online, GuestAgent, NoGuestAgent, Paused, QuiesceTimeout, PartialSnapshot. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SourceIndication {
        public String indication;
        public String message;

        public SourceIndication() {
        }

        public SourceIndication(String indication, String message) {
            this.indication = indication;
            this.message = message;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SnapshotVolumes {
        public List<String> includedVolumes;
        public List<String> excludedVolumes;
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
