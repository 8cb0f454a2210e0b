package dev.ferry.api.kubevirt.v1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * KubeVirt's VirtualMachineInstance ({@code kubevirt.io/v1}): one running VM. The fields Ferry
 * reads so far — CPU, memory, disks and their volumes, direct kernel boot — keep KubeVirt's names.
 */
@Group(VirtualMachineInstance.GROUP)
@Version(VirtualMachineInstance.VERSION)
@ShortNames({"vmi", "vmis"})
@io.fabric8.kubernetes.model.annotation.Categories({"all", "kubevirt"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.DATE)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "IP", jsonPath = ".status.interfaces[0].ipAddress")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "NodeName", jsonPath = ".status.nodeName")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type=='Ready')].status")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Live-Migratable", jsonPath = ".status.conditions[?(@.type=='LiveMigratable')].status", priority = 1)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Paused", jsonPath = ".status.conditions[?(@.type=='Paused')].status", priority = 1)
public class VirtualMachineInstance extends CustomResource<VmiSpec, VmiStatus> implements Namespaced {
    public static final String GROUP = "kubevirt.io";
    public static final String VERSION = "v1";

    @Override
    protected VmiSpec initSpec() {
        return null;
    }

    @Override
    protected VmiStatus initStatus() {
        return null;
    }
}
