package dev.ferry.controllers.clone.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.controllers.clone.CloneObserved;
import dev.ferry.controllers.clone.SourceVolume;
import dev.ferry.controllers.datavolume.Observed;
import dev.ferry.controllers.datavolume.UploadPodBuilder;
import dev.ferry.controllers.datavolume.WorkerPodBuilder;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.runtime.k8s.DefaultStorageClass;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.WorkerPods;
import dev.ferry.worker.env.CloneSourceEnv;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile of a cloning DataVolume reads: the source (claim and its users, or
 * snapshot and its content), the classes and profiles the strategy depends on, the temporary
 * objects in the source's namespace, the host-assisted workers and their progress.
 */
final class CloneObserver {
    private final KubernetesClient client;
    private final WorkerProgress progress;
    private final Clock clock;

    CloneObserver(KubernetesClient client, WorkerProgress progress, Clock clock) {
        this.client = client;
        this.progress = progress;
        this.clock = clock;
    }

    /** {@code unauthorized}: the token check's verdict, made by the reconciler. */
    CloneObserved observe(Observed dataVolume, String unauthorized) {
        DataVolume dv = dataVolume.dv();
        String namespace = dv.getMetadata().getNamespace();
        SourceVolume source = source(namespace, dataVolume.source());
        StorageClass targetClass = storageClass(dataVolume.storageClass());
        StorageProfile targetProfile = targetClass == null ? null : profile(targetClass.getMetadata().getName());
        StorageProfile sourceProfile = source.storageClass() == null ? null : profile(source.storageClass().getMetadata().getName());
        List<VolumeSnapshotClass> snapshotClasses = snapshotClasses();
        String sourceNamespace = source.namespace();
        PersistentVolumeClaim tmpClaim = claim(sourceNamespace, CloneNames.tmpClaim(dv));
        PersistentVolume tmpVolume = tmpClaim == null || tmpClaim.getSpec().getVolumeName() == null ? null
                : client.persistentVolumes().withName(tmpClaim.getSpec().getVolumeName()).get();
        String upload = UploadPodBuilder.name(dv.getMetadata().getName());
        Pod sourcePod = client.pods().inNamespace(sourceNamespace).withName(CloneNames.sourcePod(dv)).get();
        return new CloneObserved(dv, source, unauthorized, targetClass, targetProfile, sourceProfile, snapshotClasses,
                source.snapshot() ? driverClass(source.driver(), targetClass) : null, dataVolume.storage(), dataVolume.pvc(), tmpClaim,
                tmpVolume, client.resources(VolumeSnapshot.class).inNamespace(sourceNamespace).withName(CloneNames.tmpSnapshot(dv)).get(),
                claim(sourceNamespace, CloneNames.tmpSourceClaim(dv)), client.pods().inNamespace(namespace).withName(upload).get(),
                client.services().inNamespace(namespace).withName(upload).get(), sourcePod, progress(sourcePod, dv), clock.instant());
    }

    private SourceVolume source(String namespace, DataVolumeSource source) {
        boolean snapshot = source.pvc == null;
        DataVolumeSource.ObjectRef ref = snapshot ? source.snapshot : source.pvc;
        String sourceNamespace = ref.namespace == null || ref.namespace.isEmpty() ? namespace : ref.namespace;
        if (snapshot) {
            VolumeSnapshot vs = client.resources(VolumeSnapshot.class).inNamespace(sourceNamespace).withName(ref.name).get();
            String contentName = vs == null || vs.getStatus() == null ? null : vs.getStatus().boundVolumeSnapshotContentName;
            VolumeSnapshotContent content = contentName == null ? null
                    : client.resources(VolumeSnapshotContent.class).withName(contentName).get();
            return new SourceVolume(sourceNamespace, ref.name, true, null, null, vs, content, true, List.of());
        }
        PersistentVolumeClaim pvc = claim(sourceNamespace, ref.name);
        StorageClass storageClass = pvc == null ? null : storageClass(sourceClassName(pvc));
        return new SourceVolume(sourceNamespace, ref.name, false, pvc, storageClass, null, null, pvc != null && populated(pvc),
                pvc == null ? List.of() : writers(pvc));
    }

    /**
     * The class a claim is of: as it names it, else as its volume does, else the cluster's default
     * (which the API server's DefaultStorageClass admission would have written into it).
     */
    private String sourceClassName(PersistentVolumeClaim pvc) {
        if (pvc.getSpec().getStorageClassName() != null) {
            return pvc.getSpec().getStorageClassName();
        }
        PersistentVolume pv = pvc.getSpec().getVolumeName() == null ? null
                : client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).get();
        if (pv != null && pv.getSpec().getStorageClassName() != null) {
            return pv.getSpec().getStorageClassName();
        }
        return DefaultStorageClass.name(client);
    }

    /** A claim a DataVolume fills holds its data once that DataVolume succeeded; any other claim is taken as it is. */
    private boolean populated(PersistentVolumeClaim pvc) {
        return pvc.getMetadata().getOwnerReferences().stream().filter(o -> "DataVolume".equals(o.getKind())).findFirst()
                .map(owner -> {
                    DataVolume source = client.resources(DataVolume.class).inNamespace(pvc.getMetadata().getNamespace())
                            .withName(owner.getName()).get();
                    return source != null && source.getStatus() != null && Phases.SUCCEEDED.equals(source.getStatus().phase);
                }).orElse(true);
    }

    /** Running Pods that mount the claim read-write, except clone sources (they only read it), as CDI counts them. */
    private List<String> writers(PersistentVolumeClaim pvc) {
        String name = pvc.getMetadata().getName();
        return client.pods().inNamespace(pvc.getMetadata().getNamespace()).list().getItems().stream()
                .filter(pod -> pod.getStatus() == null || !("Succeeded".equals(pod.getStatus().getPhase())
                        || "Failed".equals(pod.getStatus().getPhase())))
                .filter(pod -> !WorkerKind.CLONE_SOURCE.workerName().equals(label(pod, WorkerPodBuilder.LABEL_COMPONENT)))
                .filter(pod -> pod.getSpec().getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
                        && name.equals(v.getPersistentVolumeClaim().getClaimName())
                        && !Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly())))
                .map(pod -> pod.getMetadata().getName()).sorted().toList();
    }

    /** A class of the snapshot's driver to restore it into for a copy: the target's when it is of that driver, else the first. */
    private StorageClass driverClass(String driver, StorageClass target) {
        if (driver == null) {
            return null;
        }
        if (target != null && driver.equals(target.getProvisioner())) {
            return target;
        }
        return client.storage().v1().storageClasses().list().getItems().stream().filter(sc -> driver.equals(sc.getProvisioner()))
                .min(Comparator.comparing(sc -> sc.getMetadata().getName())).orElse(null);
    }

    private Double progress(Pod sourcePod, DataVolume dv) {
        if (sourcePod == null || sourcePod.getStatus() == null || !"Running".equals(sourcePod.getStatus().getPhase())) {
            return null;
        }
        String announced = annotation(sourcePod.getMetadata().getAnnotations(), WorkerPods.ANN_METRICS_PORT);
        int port = announced != null ? Integer.parseInt(announced) : CloneSourceEnv.DEFAULT_METRICS_PORT;
        return progress.read(sourcePod.getStatus().getPodIP(), port, dv.getMetadata().getUid());
    }

    /** The cluster's VolumeSnapshotClasses; none when it does not serve the snapshot API. */
    private List<VolumeSnapshotClass> snapshotClasses() {
        try {
            return client.resources(VolumeSnapshotClass.class).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of();
            }
            throw e;
        }
    }

    private PersistentVolumeClaim claim(String namespace, String name) {
        return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
    }

    private StorageClass storageClass(String name) {
        return name == null ? null : client.storage().v1().storageClasses().withName(name).get();
    }

    private StorageProfile profile(String name) {
        return client.resources(StorageProfile.class).withName(name).get();
    }

    private static String label(Pod pod, String key) {
        return annotation(pod.getMetadata().getLabels(), key);
    }

    private static String annotation(Map<String, String> map, String key) {
        return map == null ? null : map.get(key);
    }
}
