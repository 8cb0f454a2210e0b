package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The DataVolume controller: DataVolumes, and the claims and worker Pods Ferry labels with their
 * DataVolume's name (and its namespace, when they live in a clone source's). VolumeSnapshots are
 * polled while a clone waits for one: a cluster need not serve their API.
 */
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
        Map<String, String> labels = object.getMetadata().getLabels();
        String owner = labels == null ? null : labels.get(PvcBuilder.LABEL_DATAVOLUME);
        String namespace = labels == null ? null : labels.get(CloneNames.LABEL_DATAVOLUME_NAMESPACE);
        return owner == null ? List.of() : List.of(new ObjectKey(namespace != null ? namespace : object.getMetadata().getNamespace(), owner));
    }
}
