package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;

/** The DataVolume controller: DataVolumes, and the claims and worker Pods Ferry labels with their DataVolume's name. */
public final class DataVolumeControllers {
    private DataVolumeControllers() {
    }

    public static InformerController<DataVolume> controller(DataVolumeReconciler reconciler) {
        return new InformerController<DataVolume>("ferry-datavolumes", c -> c.resources(DataVolume.class).inAnyNamespace(), reconciler)
                .watch(c -> c.pods().inAnyNamespace().withLabel(PvcBuilder.LABEL_APP, PvcBuilder.APP), (pod, store) -> owner(pod))
                .watch(c -> c.persistentVolumeClaims().inAnyNamespace().withLabel(PvcBuilder.LABEL_APP, PvcBuilder.APP),
                        (pvc, store) -> owner(pvc));
    }

    private static Collection<ObjectKey> owner(HasMetadata object) {
        String owner = object.getMetadata().getLabels() == null ? null : object.getMetadata().getLabels().get(PvcBuilder.LABEL_DATAVOLUME);
        return owner == null ? List.of() : List.of(new ObjectKey(object.getMetadata().getNamespace(), owner));
    }
}
