package dev.ferry.controllers.datasource.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.datasource.DataSourceDecision;
import dev.ferry.controllers.datasource.DataSourceObserved;
import dev.ferry.controllers.datasource.DataSourceReference;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;

/** Reconciles one DataSource: resolve its reference, read what it points at, {@link DataSourceDecision}, write the status when it changed. */
public final class DataSourceReconciler implements Reconciler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a snapshot source that is not ready is looked at again (snapshots are not watched). */
    static final Duration SNAPSHOT_POLL = Duration.ofSeconds(5);
    private final KubernetesClient client;
    private final Clock clock;

    public DataSourceReconciler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        DataSource ds = client.resources(DataSource.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (ds == null) {
            return null;
        }
        DataSourceReference reference = DataSourceReference.resolve(ds,
                name -> client.resources(DataSource.class).inNamespace(key.namespace()).withName(name).get());
        PersistentVolumeClaim pvc = null;
        DataVolume dv = null;
        VolumeSnapshot snapshot = null;
        if (reference.source() != null && reference.source().pvc != null) {
            DataVolumeSource.ObjectRef ref = reference.source().pvc;
            pvc = client.persistentVolumeClaims().inNamespace(ref.namespace).withName(ref.name).get();
            dv = client.resources(DataVolume.class).inNamespace(ref.namespace).withName(ref.name).get();
        } else if (reference.source() != null) {
            DataVolumeSource.ObjectRef ref = reference.source().snapshot;
            snapshot = client.resources(VolumeSnapshot.class).inNamespace(ref.namespace).withName(ref.name).get();
        }
        DataSource.Status desired = DataSourceDecision.decide(new DataSourceObserved(ds, reference, pvc, dv, snapshot));
        DataSource.Status current = ds.getStatus();
        if (current == null || !Conditions.same(desired.conditions, current.conditions)
                || !JSON.valueToTree(desired.source == null ? "" : desired.source).equals(
                        JSON.valueToTree(current.source == null ? "" : current.source))) {
            desired.conditions = Conditions.stamp(desired.conditions, current == null ? null : current.conditions, clock.instant());
            ds.setStatus(desired);
            client.resource(ds).updateStatus();
        }
        boolean snapshotSource = reference.source() != null && reference.source().snapshot != null;
        return snapshotSource && desired.source == null ? SNAPSHOT_POLL : null;
    }
}
