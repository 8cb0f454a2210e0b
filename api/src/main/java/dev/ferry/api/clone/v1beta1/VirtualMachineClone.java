package dev.ferry.api.clone.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/**
 * KubeVirt's VirtualMachineClone ({@code clone.kubevirt.io/v1beta1}): a new VM from a VM or a VM
 * snapshot — a snapshot and a restore under the hood — with new MACs, SMBIOS serial and firmware
 * UUID, filtered labels and annotations, and patches.
 */
@Group(VirtualMachineClone.GROUP)
@Version(VirtualMachineClone.VERSION)
@ShortNames({"vmclone", "vmclones"})
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "SourceVirtualMachine", jsonPath = ".spec.source.name")
@AdditionalPrinterColumn(name = "TargetVirtualMachine", jsonPath = ".status.targetName")
public class VirtualMachineClone extends CustomResource<VirtualMachineClone.Spec, VirtualMachineClone.Status> implements Namespaced {
    public static final String GROUP = "clone.kubevirt.io";
    public static final String VERSION = "v1beta1";
    public static final String SNAPSHOT_IN_PROGRESS = "SnapshotInProgress";
    public static final String RESTORE_IN_PROGRESS = "RestoreInProgress";
    public static final String CREATING_TARGET_VM = "CreatingTargetVM";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        /** A VirtualMachine (kubevirt.io) or a VirtualMachineSnapshot (snapshot.kubevirt.io) of this namespace. */
        public ObjectReference source;
        /** The VM to make (default {@code <source>-clone-<5 random characters>}). */
        public ObjectReference target;
        public List<String> labelFilters;
        public List<String> annotationFilters;
        public TemplateFilters template;
        public Map<String, String> newMacAddresses;
        public String newSMBiosSerial;
        public List<String> patches;
        public String volumeNamePolicy;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TemplateFilters {
        public List<String> labelFilters;
        public List<String> annotationFilters;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String creationTime;
        public String phase;
        public List<SnapshotCondition> conditions;
        public String snapshotName;
        public String restoreName;
        public String targetName;
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
