package dev.ferry.api.kubevirt.v1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/** KubeVirt's VirtualMachineInstanceMigration ({@code kubevirt.io/v1}): move one running VMI live. */
@Group(VirtualMachineInstance.GROUP)
@Version(VirtualMachineInstance.VERSION)
@ShortNames({"vmim", "vmims"})
@io.fabric8.kubernetes.model.annotation.Categories({"all", "kubevirt"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "VMI", jsonPath = ".spec.vmiName")
public class VirtualMachineInstanceMigration
        extends CustomResource<VirtualMachineInstanceMigration.Spec, VirtualMachineInstanceMigration.Status> implements Namespaced {
    public static final String PENDING = "Pending";
    public static final String SCHEDULING = "Scheduling";
    public static final String SCHEDULED = "Scheduled";
    public static final String PREPARING_TARGET = "PreparingTarget";
    public static final String TARGET_READY = "TargetReady";
    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public static class Spec {
        public String vmiName;
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public static class Status {
        public String phase;
        public List<VmiStatus.Condition> conditions;
        public VmiStatus.MigrationState migrationState;
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
