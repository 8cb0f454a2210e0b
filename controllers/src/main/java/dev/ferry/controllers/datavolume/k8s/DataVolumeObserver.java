package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.controllers.datasource.DataSourceReference;
import dev.ferry.controllers.datavolume.ImporterPodBuilder;
import dev.ferry.controllers.datavolume.Observed;
import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.datavolume.StorageDefaults;
import dev.ferry.controllers.datavolume.UploadPodBuilder;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.runtime.k8s.DefaultStorageClass;
import dev.ferry.worker.WorkerPods;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.time.Clock;

/**
 * Everything one reconcile of a DataVolume reads: its source (through the DataSource a
 * {@code sourceRef} names), claim, worker Pod, storage class and profile, consumers (only while a
 * WaitForFirstConsumer claim is unbound) and the running worker's progress.
 */
final class DataVolumeObserver {
    private final KubernetesClient client;
    private final WorkerProgress progress;
    private final int defaultMetricsPort;
    private final Clock clock;

    DataVolumeObserver(KubernetesClient client, WorkerProgress progress, int defaultMetricsPort, Clock clock) {
        this.client = client;
        this.progress = progress;
        this.defaultMetricsPort = defaultMetricsPort;
        this.clock = clock;
    }

    Observed observe(DataVolume dv) {
        String namespace = dv.getMetadata().getNamespace();
        DataVolumeSource source = dv.getSpec().source;
        String sourceProblem = null;
        if (source == null && dv.getSpec().sourceRef != null) {
            String refNamespace = dv.getSpec().sourceRef.namespace != null ? dv.getSpec().sourceRef.namespace : namespace;
            DataSource ds = client.resources(DataSource.class).inNamespace(refNamespace).withName(dv.getSpec().sourceRef.name).get();
            if (ds == null) {
                sourceProblem = "DataSource " + refNamespace + "/" + dv.getSpec().sourceRef.name + " does not exist";
            } else {
                DataSourceReference reference = DataSourceReference.resolve(ds,
                        name -> client.resources(DataSource.class).inNamespace(refNamespace).withName(name).get());
                source = reference.asDataVolumeSource();
                sourceProblem = reference.message();
            }
        } else if (source == null) {
            sourceProblem = "the DataVolume has neither spec.source nor spec.sourceRef";
        }
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(dv.getMetadata().getName()).get();
        Pod worker = pvc == null ? null : client.pods().inNamespace(namespace).withName(source != null && source.upload != null
                ? UploadPodBuilder.name(pvc) : ImporterPodBuilder.podName(dv)).get();
        String storageClass = storageClassName(dv, pvc);
        StorageClass sc = storageClass == null ? null : client.storage().v1().storageClasses().withName(storageClass).get();
        String bindingMode = sc == null ? null : sc.getVolumeBindingMode();
        // consumers only matter to a claim still waiting for its first one: skip listing Pods otherwise
        boolean waiting = pvc != null && "WaitForFirstConsumer".equals(bindingMode)
                && (pvc.getStatus() == null || !"Bound".equals(pvc.getStatus().getPhase()));
        String claimProblem = storageClass != null && sc == null && pvc != null
                && (pvc.getStatus() == null || !"Bound".equals(pvc.getStatus().getPhase()))
                ? "storageclass.storage.k8s.io \"" + storageClass + "\" not found" : null;
        return new Observed(dv, source, sourceProblem, pvc, worker, storageClass, bindingMode, waiting && consumerPresent(pvc),
                progress(dv, worker), defaults(storageClass), clock.instant(), claimProblem);
    }

    /** A running worker's percentage from its metrics port: as the node that runs it announces it, else configured. */
    private Double progress(DataVolume dv, Pod worker) {
        if (worker == null || worker.getStatus() == null || !"Running".equals(worker.getStatus().getPhase())) {
            return null;
        }
        String announced = worker.getMetadata().getAnnotations() == null ? null
                : worker.getMetadata().getAnnotations().get(WorkerPods.ANN_METRICS_PORT);
        int port = announced != null ? Integer.parseInt(announced) : defaultMetricsPort;
        return progress.read(worker.getStatus().getPodIP(), port, dv.getMetadata().getUid());
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
        return DefaultStorageClass.name(client);
    }

    /** What the class's StorageProfile recommends, else CDI's defaults. */
    private StorageDefaults defaults(String storageClass) {
        StorageProfile profile = storageClass == null ? null : client.resources(StorageProfile.class).withName(storageClass).get();
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
}
