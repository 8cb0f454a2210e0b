package dev.ferry.controllers.k8s;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.controllers.datavolume.DataVolumeDecision;
import dev.ferry.controllers.datavolume.ImporterPodBuilder;
import dev.ferry.controllers.datavolume.Observed;
import dev.ferry.controllers.datavolume.Plan;
import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.datavolume.StorageDefaults;
import dev.ferry.controllers.datavolume.UploadPodBuilder;
import dev.ferry.controllers.datavolume.WorkerOutcome;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.status.Conditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Reconciles one DataVolume: observe (DataVolume, source, claim, worker Pod, storage class,
 * consumers, progress) → decide ({@link DataVolumeDecision}, pure) → apply (create, delete) →
 * record the status when it changed and an event when the phase changed. A finalizer lets a
 * deleted DataVolume stop its worker and remove what it owns even where no garbage collector
 * runs (local mode).
 */
public final class DataVolumeReconciler {
    public static final String FINALIZER = "ferry.kubevirt.dev/datavolume-cleanup";
    /** Set on a worker Pod by a node that chose the worker's metrics port itself. */
    public static final String ANN_METRICS_PORT = "ferry.kubevirt.dev/metrics-port";
    private static final Logger LOG = Logger.getLogger(DataVolumeReconciler.class.getName());

    private final KubernetesClient client;
    private final WorkerSettings settings;
    private final String controllerNamespace;
    private final WorkerProgress progress;
    private final Events events;
    private final Clock clock;
    private final AtomicLong importedSourceBytes = new AtomicLong();
    private final AtomicLong workerRestarts = new AtomicLong();

    public DataVolumeReconciler(KubernetesClient client, WorkerSettings settings, String controllerNamespace,
            WorkerProgress progress, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.controllerNamespace = controllerNamespace;
        this.progress = progress;
        this.events = new Events(client, clock);
        this.clock = clock;
    }

    /** Reconciles {@code namespace/name}; returns when to look again without a change, or null. */
    public Duration reconcile(String namespace, String name) {
        DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(name).get();
        if (dv == null) {
            return null;
        }
        String key = namespace + "/" + name;
        if (dv.getMetadata().getDeletionTimestamp() != null) {
            cleanUp(dv);
            return null;
        }
        if (!dv.getMetadata().getFinalizers().contains(FINALIZER)) {
            dv.getMetadata().getFinalizers().add(FINALIZER);
            dv = client.resource(dv).update();
        }
        Observed observed = observe(dv);
        Plan plan = DataVolumeDecision.decide(observed, settings);
        count(observed, plan);
        apply(dv, plan, key);
        return plan.requeueAfter();
    }

    private void count(Observed observed, Plan plan) {
        if (!plan.deleteWorker() || observed.worker() == null) {
            return;
        }
        if (Phases.SUCCEEDED.equals(plan.status().phase) && !Phases.SUCCEEDED.equals(phaseOf(observed.dv()))) {
            importedSourceBytes.addAndGet(WorkerOutcome.of(observed.worker()).sourceBytes());
        } else if (!Phases.SUCCEEDED.equals(plan.status().phase)) {
            workerRestarts.incrementAndGet();
        }
    }

    private static String phaseOf(DataVolume dv) {
        return dv.getStatus() == null ? null : dv.getStatus().phase;
    }

    public long importedSourceBytes() {
        return importedSourceBytes.get();
    }

    public long workerRestarts() {
        return workerRestarts.get();
    }

    private Observed observe(DataVolume dv) {
        String namespace = dv.getMetadata().getNamespace();
        String name = dv.getMetadata().getName();
        DataVolumeSource source = dv.getSpec().source;
        String sourceProblem = null;
        if (source == null && dv.getSpec().sourceRef != null) {
            String refNamespace = dv.getSpec().sourceRef.namespace != null ? dv.getSpec().sourceRef.namespace : namespace;
            DataSource ds = client.resources(DataSource.class).inNamespace(refNamespace)
                    .withName(dv.getSpec().sourceRef.name).get();
            if (ds == null || ds.getSpec() == null || ds.getSpec().source == null) {
                sourceProblem = "DataSource " + refNamespace + "/" + dv.getSpec().sourceRef.name + " does not exist or names no source";
            } else {
                source = new DataVolumeSource();
                source.pvc = ds.getSpec().source.pvc;
                source.snapshot = ds.getSpec().source.snapshot;
            }
        } else if (source == null) {
            sourceProblem = "the DataVolume has neither spec.source nor spec.sourceRef";
        }
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        Pod worker = pvc == null ? null : worker(dv, pvc, source);
        String storageClass = storageClassName(dv, pvc);
        StorageClass sc = storageClass == null ? null : client.storage().v1().storageClasses().withName(storageClass).get();
        Double percent = worker != null && "Running".equals(worker.getStatus() == null ? null : worker.getStatus().getPhase())
                ? progress.read(worker.getStatus().getPodIP(), metricsPort(worker), dv.getMetadata().getUid()) : null;
        String bindingMode = sc == null ? null : sc.getVolumeBindingMode();
        // consumers only matter to a claim still waiting for its first one: skip listing Pods otherwise
        boolean waiting = pvc != null && "WaitForFirstConsumer".equals(bindingMode)
                && (pvc.getStatus() == null || !"Bound".equals(pvc.getStatus().getPhase()));
        return new Observed(dv, source, sourceProblem, pvc, worker, bindingMode, waiting && consumerPresent(pvc), percent,
                defaults(storageClass), clock.instant());
    }

    /** The worker's metrics port: as the node that runs it announces it (local mode picks free ports), else configured. */
    private int metricsPort(Pod worker) {
        String announced = worker.getMetadata().getAnnotations() == null ? null
                : worker.getMetadata().getAnnotations().get(ANN_METRICS_PORT);
        return announced != null ? Integer.parseInt(announced) : settings.metricsPort();
    }

    private Pod worker(DataVolume dv, PersistentVolumeClaim pvc, DataVolumeSource source) {
        String podName = source != null && source.upload != null ? UploadPodBuilder.name(pvc) : ImporterPodBuilder.podName(dv);
        return client.pods().inNamespace(dv.getMetadata().getNamespace()).withName(podName).get();
    }

    /** The class the claim uses, or the DataVolume asks for, or the cluster's default. */
    private String storageClassName(DataVolume dv, PersistentVolumeClaim pvc) {
        if (pvc != null && pvc.getSpec().getStorageClassName() != null) {
            return pvc.getSpec().getStorageClassName();
        }
        if (dv.getSpec().storage != null && dv.getSpec().storage.storageClassName != null) {
            return dv.getSpec().storage.storageClassName;
        }
        if (dv.getSpec().pvc != null && dv.getSpec().pvc.getStorageClassName() != null) {
            return dv.getSpec().pvc.getStorageClassName();
        }
        return client.storage().v1().storageClasses().list().getItems().stream()
                .filter(sc -> sc.getMetadata().getAnnotations() != null && "true".equals(sc.getMetadata().getAnnotations()
                        .get("storageclass.kubernetes.io/is-default-class")))
                .map(sc -> sc.getMetadata().getName()).findFirst().orElse(null);
    }

    /** What the class's StorageProfile recommends, else CDI's defaults. */
    private StorageDefaults defaults(String storageClass) {
        StorageProfile profile = storageClass == null ? null
                : client.resources(StorageProfile.class).withName(storageClass).get();
        StorageDefaults fallback = StorageDefaults.cdiDefaults();
        if (profile == null || profile.getStatus() == null) {
            return fallback;
        }
        StorageProfile.Status status = profile.getStatus();
        StorageProfile.ClaimPropertySet set = status.claimPropertySets == null || status.claimPropertySets.isEmpty()
                ? null : status.claimPropertySets.get(0);
        return new StorageDefaults(set != null && set.accessModes != null ? set.accessModes : fallback.accessModes(),
                set != null && set.volumeMode != null ? set.volumeMode : fallback.volumeMode(),
                status.filesystemOverhead != null ? new BigDecimal(status.filesystemOverhead) : fallback.filesystemOverhead());
    }

    /** A Pod other than Ferry's own workers mounts the claim (a VM's launcher, say). */
    private boolean consumerPresent(PersistentVolumeClaim pvc) {
        return client.pods().inNamespace(pvc.getMetadata().getNamespace()).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getLabels() == null
                        || !PvcBuilder.APP.equals(pod.getMetadata().getLabels().get(PvcBuilder.LABEL_APP)))
                .flatMap(pod -> pod.getSpec().getVolumes().stream())
                .anyMatch(volume -> volume.getPersistentVolumeClaim() != null
                        && pvc.getMetadata().getName().equals(volume.getPersistentVolumeClaim().getClaimName()));
    }

    private void apply(DataVolume dv, Plan plan, String key) {
        if (plan.createPvc() != null) {
            create(plan.createPvc(), key);
        }
        for (HasMetadata object : plan.createWorker()) {
            if (object instanceof Pod pod && UploadPodBuilder.COMPONENT.equals(component(pod))) {
                ensureUploadTls(dv.getMetadata().getNamespace());
            }
            create(object, key);
        }
        if (plan.deleteWorker()) {
            deleteWorker(dv, Objects.equals(plan.status().phase, "Succeeded"));
        }
        DataVolumeStatus current = dv.getStatus();
        if (!Conditions.same(plan.status(), current)) {
            dv.setStatus(Conditions.stamp(plan.status(), current, clock.instant()));
            client.resource(dv).updateStatus();
            LOG.fine(() -> key + ": phase " + plan.status().phase + " progress " + plan.status().progress);
        }
        if (plan.event() != null && phaseOrReasonChanged(current, plan.status())) {
            events.record(dv, plan.event());
        }
    }

    private void create(HasMetadata object, String key) {
        try {
            client.resource(object).create();
            LOG.info(() -> key + ": created " + object.getKind() + " " + object.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // already there: a restarted controller adopts what the last one created
        }
    }

    /** Removes the worker Pod (after success also the upload Service). */
    private void deleteWorker(DataVolume dv, boolean succeeded) {
        String namespace = dv.getMetadata().getNamespace();
        client.pods().inNamespace(namespace).withName(ImporterPodBuilder.podName(dv)).delete();
        client.pods().inNamespace(namespace).withName("cdi-upload-" + dv.getMetadata().getName()).delete();
        if (succeeded) {
            client.services().inNamespace(namespace).withName("cdi-upload-" + dv.getMetadata().getName()).delete();
        }
    }

    /** A deleted DataVolume: stop its worker, remove its Service and claim, then let it go. */
    private void cleanUp(DataVolume dv) {
        if (!dv.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        String namespace = dv.getMetadata().getNamespace();
        deleteWorker(dv, true);
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace)
                .withName(dv.getMetadata().getName()).get();
        if (pvc != null && ownedBy(pvc, dv)) {
            client.resource(pvc).delete();
        }
        List<String> finalizers = new ArrayList<>(dv.getMetadata().getFinalizers());
        finalizers.remove(FINALIZER);
        dv.getMetadata().setFinalizers(finalizers);
        client.resource(dv).update();
        LOG.info(() -> namespace + "/" + dv.getMetadata().getName() + ": deleted; worker stopped and claim removed");
    }

    /** The upload servers' certificate, copied from the controller's namespace into the volume's. */
    private void ensureUploadTls(String namespace) {
        if (settings.uploadTlsSecret() == null
                || client.secrets().inNamespace(namespace).withName(settings.uploadTlsSecret()).get() != null) {
            return;
        }
        Secret source = client.secrets().inNamespace(controllerNamespace).withName(settings.uploadTlsSecret()).get();
        if (source == null) {
            throw new IllegalStateException("Secret " + controllerNamespace + "/" + settings.uploadTlsSecret()
                    + " (the upload servers' TLS certificate) does not exist");
        }
        create(new SecretBuilder().withNewMetadata().withName(settings.uploadTlsSecret()).withNamespace(namespace)
                .addToLabels(PvcBuilder.LABEL_APP, PvcBuilder.APP).endMetadata()
                .withType(source.getType()).withData(source.getData()).build(), namespace);
    }

    private static boolean ownedBy(HasMetadata child, DataVolume dv) {
        return child.getMetadata().getOwnerReferences() != null && child.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> "DataVolume".equals(ref.getKind()) && dv.getMetadata().getName().equals(ref.getName()));
    }

    private static String component(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(ImporterPodBuilder.LABEL_COMPONENT);
    }

    private static boolean phaseOrReasonChanged(DataVolumeStatus before, DataVolumeStatus after) {
        if (before == null) {
            return true;
        }
        var readyBefore = Conditions.find(before, "Ready");
        var readyAfter = Conditions.find(after, "Ready");
        return !Objects.equals(before.phase, after.phase) || !Objects.equals(before.restartCount, after.restartCount)
                || readyBefore == null || readyAfter == null || !Objects.equals(readyBefore.reason, readyAfter.reason);
    }
}
