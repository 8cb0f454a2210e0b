package dev.ferry.api.kubevirt.v1alpha3;

import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * KubeVirt's older {@code kubevirt.io/v1alpha3} VirtualMachineInstance, which KubeVirt still serves with the v1
 * schema (v1 is stored): here only so the CRD lists the version. Local mode's API server answers
 * v1alpha3 requests as v1, as a conversion-less CRD does.
 */
@Group(dev.ferry.api.kubevirt.v1.VirtualMachineInstance.GROUP)
@Version(value = "v1alpha3", storage = false, deprecated = true)
@io.fabric8.kubernetes.model.annotation.Categories({"all", "kubevirt"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.DATE)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "IP", jsonPath = ".status.interfaces[0].ipAddress")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "NodeName", jsonPath = ".status.nodeName")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type=='Ready')].status")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Live-Migratable", jsonPath = ".status.conditions[?(@.type=='LiveMigratable')].status", priority = 1)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Paused", jsonPath = ".status.conditions[?(@.type=='Paused')].status", priority = 1)
@io.fabric8.kubernetes.model.annotation.ShortNames({"vmi", "vmis"})
public class VirtualMachineInstance extends CustomResource<VmiSpec, VmiStatus> implements Namespaced {
}
