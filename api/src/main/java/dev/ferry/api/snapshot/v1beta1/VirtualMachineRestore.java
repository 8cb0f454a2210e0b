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
import java.util.Map;

/** KubeVirt's VirtualMachineRestore: a VM (the snapshot's, or a new one) made again from a snapshot. */
@Group(VirtualMachineSnapshot.GROUP)
@Version(VirtualMachineSnapshot.VERSION)
@ShortNames({"vmrestore", "vmrestores"})
@AdditionalPrinterColumn(name = "TargetKind", jsonPath = ".spec.target.kind")
@AdditionalPrinterColumn(name = "TargetName", jsonPath = ".spec.target.name")
@AdditionalPrinterColumn(name = "Complete", jsonPath = ".status.complete", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "RestoreTime", jsonPath = ".status.restoreTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Error", jsonPath = ".status.conditions[?(@.type==\"Failure\")].reason")
public class VirtualMachineRestore extends CustomResource<VirtualMachineRestore.Spec, VirtualMachineRestore.Status>
        implements Namespaced {
    public static final String STOP_TARGET = "StopTarget";
    public static final String WAIT_GRACE_PERIOD = "WaitGracePeriod";
    public static final String FAIL_IMMEDIATE = "FailImmediate";
    public static final String WAIT_EVENTUALLY = "WaitEventually";
    public static final String RANDOMIZE_NAMES = "RandomizeNames";
    public static final String IN_PLACE = "InPlace";
    public static final String PREFIX_TARGET_NAME = "PrefixTargetName";
    public static final String OWNERSHIP_VM = "Vm";
    public static final String OWNERSHIP_NONE = "None";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        public ObjectReference target;
        public String virtualMachineSnapshotName;
        /** StopTarget, WaitGracePeriod (default), FailImmediate, WaitEventually: when the target still runs. */
        public String targetReadinessPolicy;
        /** RandomizeNames (default), InPlace, PrefixTargetName: the restored claims' names. */
        public String volumeRestorePolicy;
        /** Vm (default) or None: whether the restored claims are owned by the target VM. */
        public String volumeOwnershipPolicy;
        public List<VolumeRestoreOverride> volumeRestoreOverrides;
        /** JSON-patch operations (one per string) applied to a new target VM. */
        public List<String> patches;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeRestoreOverride {
        public String volumeName;
        public String restoreName;
        public Map<String, String> labels;
        public Map<String, String> annotations;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public List<VolumeRestore> restores;
        public String restoreTime;
        public List<String> deletedDataVolumes;
        public Boolean complete;
        public List<SnapshotCondition> conditions;
    }

    /** A volume restored: the claim made (KubeVirt's key {@code persistentVolumeClaim} holds its name). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeRestore {
        public String volumeName;
        public String persistentVolumeClaim;
        public String volumeSnapshotName;
        public String dataVolumeName;
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
