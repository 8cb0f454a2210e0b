package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.clone.k8s.CloneAuthority;
import dev.ferry.controllers.clone.k8s.CloneReconciler;
import dev.ferry.controllers.datavolume.ClaimMarks;
import dev.ferry.controllers.datavolume.DataVolumeDecision;
import dev.ferry.controllers.datavolume.ImporterPodBuilder;
import dev.ferry.controllers.datavolume.Observed;
import dev.ferry.controllers.datavolume.Plan;
import dev.ferry.controllers.datavolume.UploadPodBuilder;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.PermanentError;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.runtime.k8s.Apply;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciles one DataVolume: observe ({@link DataVolumeObserver}) → decide ({@link DataVolumeDecision},
 * pure) → apply → status and event ({@link DataVolumeStatusWriter}). A step the cluster refuses for
 * good (a missing Secret) becomes the DataVolume's condition. A finalizer lets a deleted DataVolume
 * stop its worker and remove what it owns where no garbage collector runs (local mode). A
 * DataVolume cloning a claim or a snapshot goes to the {@link CloneReconciler}.
 */
public final class DataVolumeReconciler implements Reconciler {
    public static final String FINALIZER = "ferry.kubevirt.dev/datavolume-cleanup";

    private final KubernetesClient client;
    private final Apply apply;
    private final WorkerSettings settings;
    private final DataVolumeObserver observer;
    private final DataVolumeStatusWriter status;
    private final UploadTls uploadTls;
    private final CloneReconciler clones;
    private final DataVolumeCounters counters = new DataVolumeCounters();

    public DataVolumeReconciler(KubernetesClient client, WorkerSettings settings, String controllerNamespace,
            WorkerProgress progress, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.settings = settings;
        this.observer = new DataVolumeObserver(client, progress, settings.metricsPort(), clock);
        this.status = new DataVolumeStatusWriter(client, clock);
        this.uploadTls = new UploadTls(apply, controllerNamespace, settings.uploadTlsSecret());
        this.clones = new CloneReconciler(client, settings, new CloneAuthority(client, controllerNamespace, clock), progress, status,
                clock);
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        DataVolume dv = client.resources(DataVolume.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (dv == null) {
            return null;
        }
        if (dv.getMetadata().getDeletionTimestamp() != null) {
            cleanUp(dv);
            return null;
        }
        dv = apply.addFinalizer(dv, FINALIZER);
        Observed observed = observer.observe(dv);
        if (CloneReconciler.clones(observed.source()) && !DataVolumeDecision.isPrePopulated(dv)
                && ClaimMarks.restored(observed.pvc(), dv) != ClaimMarks.Restored.POPULATED) {
            mark(dv, observed.pvc(), dv.getStatus() == null ? null : dv.getStatus().phase);
            return clones.reconcile(observed);
        }
        Plan plan = DataVolumeDecision.decide(observed, settings);
        mark(dv, observed.pvc(), plan.status().phase);
        try {
            create(dv, plan);
        } catch (PermanentError e) {
            plan = DataVolumeDecision.blocked(observed, e.reason(), e.getMessage(), e.recheck());
        }
        counters.count(observed, plan);
        if (plan.deleteWorker()) {
            deleteWorker(dv, Phases.SUCCEEDED.equals(plan.status().phase));
        }
        status.write(dv, plan);
        return plan.requeueAfter();
    }

    /** The claim's marks for the DataVolume's phase ({@link ClaimMarks}), and the DataVolume as its owner when it adopts it. */
    private void mark(DataVolume dv, PersistentVolumeClaim pvc, String phase) {
        ClaimMarks.Change change = ClaimMarks.change(dv, pvc, phase);
        if (change == null) {
            return;
        }
        client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName()).edit(claim -> {
            Map<String, String> annotations = new LinkedHashMap<>(claim.getMetadata().getAnnotations() == null ? Map.of()
                    : claim.getMetadata().getAnnotations());
            change.remove().forEach(annotations::remove);
            annotations.putAll(change.set());
            claim.getMetadata().setAnnotations(annotations);
            if (change.owner() != null) {
                List<OwnerReference> owners = new ArrayList<>(claim.getMetadata().getOwnerReferences() == null ? List.of()
                        : claim.getMetadata().getOwnerReferences());
                owners.add(change.owner());
                claim.getMetadata().setOwnerReferences(owners);
            }
            return claim;
        });
    }

    private void create(DataVolume dv, Plan plan) {
        if (plan.createPvc() != null) {
            apply.create(plan.createPvc());
        }
        for (HasMetadata object : plan.createWorker()) {
            if (object instanceof Pod && UploadPodBuilder.name(dv.getMetadata().getName()).equals(object.getMetadata().getName())) {
                uploadTls.ensure(dv.getMetadata().getNamespace());
            }
            apply.create(object);
        }
    }

    /** Removes the worker Pod (after success also the upload Service). */
    private void deleteWorker(DataVolume dv, boolean succeeded) {
        String namespace = dv.getMetadata().getNamespace();
        client.pods().inNamespace(namespace).withName(ImporterPodBuilder.podName(dv)).delete();
        client.pods().inNamespace(namespace).withName(UploadPodBuilder.name(dv.getMetadata().getName())).delete();
        if (succeeded) {
            client.services().inNamespace(namespace).withName(UploadPodBuilder.name(dv.getMetadata().getName())).delete();
        }
    }

    /** A deleted DataVolume: stop its worker, remove its Service and its own claim, then let it go. */
    private void cleanUp(DataVolume dv) {
        if (!dv.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        deleteWorker(dv, true);
        if (CloneReconciler.clones(dv.getSpec().source) || dv.getSpec().sourceRef != null) {
            clones.cleanUp(dv);
        }
        var pvc = client.persistentVolumeClaims().inNamespace(dv.getMetadata().getNamespace()).withName(dv.getMetadata().getName()).get();
        if (pvc != null && DataVolumeDecision.ownedBy(pvc, dv)) {
            apply.delete(pvc);
        }
        apply.removeFinalizer(dv, FINALIZER);
    }

    public DataVolumeCounters counters() {
        return counters;
    }
}
