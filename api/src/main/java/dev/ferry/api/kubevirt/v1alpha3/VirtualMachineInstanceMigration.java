package dev.ferry.api.kubevirt.v1alpha3;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * KubeVirt's older {@code kubevirt.io/v1alpha3} VirtualMachineInstanceMigration, served with the
 * v1 schema (v1 is stored): here only so the CRD lists the version.
 */
@Group(dev.ferry.api.kubevirt.v1.VirtualMachineInstance.GROUP)
@Version(value = "v1alpha3", storage = false, deprecated = true)
@io.fabric8.kubernetes.model.annotation.Categories({"all", "kubevirt"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "VMI", jsonPath = ".spec.vmiName")
@io.fabric8.kubernetes.model.annotation.ShortNames({"vmim", "vmims"})
public class VirtualMachineInstanceMigration extends CustomResource<dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration.Spec,
        dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration.Status> implements Namespaced {
}
