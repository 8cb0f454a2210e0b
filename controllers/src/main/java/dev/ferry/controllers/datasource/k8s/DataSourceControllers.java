package dev.ferry.controllers.datasource.k8s;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.time.Clock;
import java.util.Collection;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The DataSource controller: DataSources, woken by the claims and DataVolumes they point at and by
 * the DataSources they reference; a snapshot source not ready yet is polled (a cluster need not
 * serve the VolumeSnapshot API).
 */
public final class DataSourceControllers {
    private DataSourceControllers() {
    }

    public static InformerController<DataSource> controller(KubernetesClient client, Clock clock) {
        return new InformerController<DataSource>("ferry-datasources", c -> c.resources(DataSource.class).inAnyNamespace(),
                new DataSourceReconciler(client, clock))
                .watch(c -> c.persistentVolumeClaims().inAnyNamespace(), (pvc, store) -> pointingAt(store, pvc))
                .watch(c -> c.resources(DataVolume.class).inAnyNamespace(), (dv, store) -> pointingAt(store, dv))
                .watch(c -> c.resources(DataSource.class).inAnyNamespace(), (ds, store) -> store.list().stream()
                        .filter(other -> other.getSpec() != null && other.getSpec().source != null
                                && refers(other.getSpec().source.dataSource, other, ds))
                        .map(ObjectKey::of).toList());
    }

    /** DataSources whose claim is {@code object}; a claim and the DataVolume filling it share a name. */
    private static Collection<ObjectKey> pointingAt(Store<DataSource> store, HasMetadata object) {
        return store.list().stream().filter(ds -> ds.getSpec() != null && ds.getSpec().source != null)
                .filter(ds -> refers(ds.getSpec().source.pvc, ds, object))
                .map(ObjectKey::of).toList();
    }

    private static boolean refers(DataVolumeSource.ObjectRef ref, DataSource from, HasMetadata object) {
        if (ref == null || !object.getMetadata().getName().equals(ref.name)) {
            return false;
        }
        String namespace = ref.namespace == null || ref.namespace.isEmpty() ? from.getMetadata().getNamespace() : ref.namespace;
        return namespace.equals(object.getMetadata().getNamespace());
    }
}
