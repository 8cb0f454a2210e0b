package dev.ferry.api.kubevirt.v1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * KubeVirt's VirtualMachine ({@code kubevirt.io/v1}): a VMI template, the DataVolumes it owns,
 * and whether it should run ({@code runStrategy}, or the older {@code running}).
 */
@Group(VirtualMachineInstance.GROUP)
@Version(VirtualMachineInstance.VERSION)
@ShortNames({"vm", "vms"})
@io.fabric8.kubernetes.model.annotation.Categories({"all", "kubevirt"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.DATE)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Status", jsonPath = ".status.printableStatus")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type=='Ready')].status")
public class VirtualMachine extends CustomResource<VmSpec, VmStatus> implements Namespaced {
    @Override
    protected VmSpec initSpec() {
        return null;
    }

    @Override
    protected VmStatus initStatus() {
        return null;
    }
}
