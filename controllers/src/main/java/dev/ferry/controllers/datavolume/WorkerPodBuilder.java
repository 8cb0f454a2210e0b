package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.Reporting;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data worker's Pod as the worker contract describes it: the container runs {@code worker NAME},
 * its environment is the worker's typed record, the DataVolume's claim at {@code /data} or as the
 * block device {@code /dev/ferry-block}, non-root, no privileges, restarts left to the controller.
 */
public final class WorkerPodBuilder {
    public static final String LABEL_COMPONENT = "cdi.kubevirt.io";

    private WorkerPodBuilder() {
    }

    /** What differs between worker Pods: name, kind, image, environment, extra volumes and a readiness probe. */
    public record Worker(String name, WorkerKind kind, String image, int metricsPort, Map<String, String> env, List<Volume> volumes,
            List<VolumeMount> mounts, Probe readiness) {
    }

    /** The claim as the worker sees it, with the DataVolume's content type, disk size, checksum and preallocation. */
    static DiskTarget target(DataVolume dv, PersistentVolumeClaim pvc) {
        String contentType = dv.getSpec().contentType == null ? DiskTarget.KUBEVIRT : dv.getSpec().contentType;
        boolean preallocation = Boolean.TRUE.equals(dv.getSpec().preallocation);
        if (block(pvc)) {
            return DiskTarget.block(java.nio.file.Path.of(DiskTarget.BLOCK_PATH), contentType, dv.getSpec().checksum, preallocation);
        }
        Quantity size = requestedDiskSize(dv, pvc);
        return DiskTarget.filesystem(java.nio.file.Path.of(DiskTarget.DATA_PATH), contentType, size == null ? null : size.toString(),
                dv.getSpec().checksum, preallocation);
    }

    static Reporting reporting(DataVolume dv, int metricsPort) {
        return Reporting.of(metricsPort, dv.getMetadata().getUid() == null ? "" : dv.getMetadata().getUid());
    }

    static Pod build(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings, Worker worker) {
        Map<String, String> labels = PvcBuilder.labels(dv);
        labels.put(LABEL_COMPONENT, worker.kind().workerName());
        return build(dv.getMetadata().getNamespace(), labels, List.of(PvcBuilder.owner(dv)), dv.getSpec().priorityClassName,
                new Claim(pvc.getMetadata().getName(), block(pvc), false, DiskTarget.DATA_PATH), settings, worker);
    }

    /** The claim a worker works on: mounted at {@code mountPath}, or as the device /dev/ferry-block, read-only for a source. */
    public record Claim(String name, boolean block, boolean readOnly, String mountPath) {
    }

    /**
     * A worker Pod in {@code namespace} with {@code labels}, owned by {@code owners} (none across
     * namespaces), on {@code claim} (null: a worker without a volume, a source poller).
     */
    public static Pod build(String namespace, Map<String, String> labels, List<OwnerReference> owners, String priorityClass,
            Claim claim, WorkerSettings settings, Worker worker) {
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        if (claim != null) {
            volumes.add(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim().withClaimName(claim.name())
                    .withReadOnly(claim.readOnly() ? Boolean.TRUE : null).endPersistentVolumeClaim().build());
            if (!claim.block()) {
                mounts.add(mount("data", claim.mountPath(), claim.readOnly()));
            }
        }
        volumes.addAll(worker.volumes());
        mounts.addAll(worker.mounts());
        Map<String, String> podLabels = new LinkedHashMap<>(labels);
        podLabels.put(LABEL_COMPONENT, worker.kind().workerName());
        // a worker is transient: a backup (Velero) leaves it out, and a restore never brings it back
        podLabels.put(ClaimMarks.LABEL_EXCLUDE_FROM_BACKUP, "true");
        return new PodBuilder()
                .withNewMetadata().withName(worker.name()).withNamespace(namespace).withLabels(podLabels)
                .withOwnerReferences(owners).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withPriorityClassName(priorityClass)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(settings.runAsUser())
                .withFsGroup(settings.runAsUser()).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(new ContainerBuilder()
                        .withName(worker.kind().workerName())
                        .withImage(worker.image())
                        .withImagePullPolicy(settings.pullPolicy())
                        .withArgs(worker.kind().args())
                        .withEnv(worker.env().entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
                        .withVolumeMounts(mounts)
                        .withVolumeDevices(claim != null && claim.block() ? List.of(new VolumeDevice(DiskTarget.BLOCK_PATH, "data"))
                                : List.of())
                        .addNewPort().withName("metrics").withContainerPort(worker.metricsPort()).withProtocol("TCP").endPort()
                        .withReadinessProbe(worker.readiness())
                        .withTerminationMessagePath(Reporting.TERMINATION_LOG)
                        .withTerminationMessagePolicy("File")
                        .withNewResources()
                        .addToRequests("cpu", new Quantity(settings.cpuRequest()))
                        .addToRequests("memory", new Quantity(settings.memoryRequest()))
                        .addToLimits("cpu", new Quantity(settings.cpuRequest()))
                        .addToLimits("memory", new Quantity(settings.memoryLimit()))
                        .endResources()
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                        .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                        .build())
                .withVolumes(volumes)
                .endSpec()
                .build();
    }

    static boolean block(PersistentVolumeClaim pvc) {
        return "Block".equals(pvc.getSpec().getVolumeMode());
    }

    /** The disk size the user asked for: the DataVolume's own request when it has one (before overhead), else the claim's. */
    private static Quantity requestedDiskSize(DataVolume dv, PersistentVolumeClaim pvc) {
        if (dv.getSpec().storage != null && dv.getSpec().storage.resources != null
                && dv.getSpec().storage.resources.getRequests() != null
                && dv.getSpec().storage.resources.getRequests().get("storage") != null) {
            return dv.getSpec().storage.resources.getRequests().get("storage");
        }
        return pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
                ? null : pvc.getSpec().getResources().getRequests().get("storage");
    }

    public static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path).withReadOnly(readOnly).build();
    }
}
