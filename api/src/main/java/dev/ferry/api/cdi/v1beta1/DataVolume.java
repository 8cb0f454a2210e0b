package dev.ferry.api.cdi.v1beta1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * CDI's DataVolume ({@code cdi.kubevirt.io/v1beta1}): a PVC plus the instructions to populate it.
 * Field names and JSON shapes follow CDI exactly so existing manifests apply unchanged.
 */
@Group(DataVolume.GROUP)
@Version(DataVolume.VERSION)
@ShortNames({"dv", "dvs"})
@io.fabric8.kubernetes.model.annotation.Categories({"all"})
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress")
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Restarts", jsonPath = ".status.restartCount", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.INTEGER)
@io.fabric8.crd.generator.annotation.AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type.DATE)
public class DataVolume extends CustomResource<DataVolumeSpec, DataVolumeStatus> implements Namespaced {
    public static final String GROUP = "cdi.kubevirt.io";
    public static final String VERSION = "v1beta1";

    @Override
    protected DataVolumeSpec initSpec() {
        return null;
    }

    @Override
    protected DataVolumeStatus initStatus() {
        return null;
    }
}
