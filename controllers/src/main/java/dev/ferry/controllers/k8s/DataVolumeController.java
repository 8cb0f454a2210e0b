package dev.ferry.controllers.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.PvcBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the DataVolume reconciler on changes: informers on DataVolumes and on the claims and
 * worker Pods Ferry labels, feeding one de-duplicated work queue. (fabric8 informers rather
 * than java-operator-sdk: the operator SDK's server-side-apply and dependent-resource machinery
 * does not run on the CRUD mock server the tests and local mode use.)
 */
public final class DataVolumeController implements AutoCloseable {
    private static final long RESYNC_MS = Duration.ofMinutes(5).toMillis();

    private final KubernetesClient client;
    private final WorkQueue queue;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<DataVolume> dataVolumes;

    public DataVolumeController(KubernetesClient client, DataVolumeReconciler reconciler) {
        this.client = client;
        this.queue = new WorkQueue("ferry-datavolumes", key -> {
            int slash = key.indexOf('/');
            return reconciler.reconcile(key.substring(0, slash), key.substring(slash + 1));
        });
    }

    public void start() {
        dataVolumes = client.resources(DataVolume.class).inAnyNamespace().inform(handler(this::enqueue), RESYNC_MS);
        informers.add(dataVolumes);
        informers.add(client.pods().inAnyNamespace().withLabel(PvcBuilder.LABEL_APP, PvcBuilder.APP)
                .inform(handler(this::enqueueOwner), RESYNC_MS));
        informers.add(client.persistentVolumeClaims().inAnyNamespace().withLabel(PvcBuilder.LABEL_APP, PvcBuilder.APP)
                .inform(handler(this::enqueueOwner), RESYNC_MS));
    }

    /** Whether every informer has listed its objects once (and now watches). */
    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** DataVolumes known to the informer in a phase: what {@code kubevirt_cdi_datavolume_pending} counts. */
    public long countInPhase(String phase) {
        if (dataVolumes == null) {
            return 0;
        }
        return dataVolumes.getStore().list().stream()
                .filter(dv -> dv.getStatus() != null ? phase.equals(dv.getStatus().phase) : Phases.PENDING.equals(phase))
                .count();
    }

    private void enqueue(HasMetadata object) {
        queue.add(object.getMetadata().getNamespace() + "/" + object.getMetadata().getName());
    }

    /** Claims and worker Pods carry their DataVolume's name in a label. */
    private void enqueueOwner(HasMetadata object) {
        String owner = object.getMetadata().getLabels() == null ? null
                : object.getMetadata().getLabels().get(PvcBuilder.LABEL_DATAVOLUME);
        if (owner != null) {
            queue.add(object.getMetadata().getNamespace() + "/" + owner);
        }
    }

    /** Every add, update and delete of an informer's objects, to {@code enqueue}. */
    static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<HasMetadata> enqueue) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                enqueue.accept(object);
            }

            @Override
            public void onUpdate(T before, T after) {
                enqueue.accept(after);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                enqueue.accept(object);
            }
        };
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        queue.close();
    }
}
