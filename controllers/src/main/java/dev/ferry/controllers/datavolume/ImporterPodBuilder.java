package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The importer Pod for a DataVolume, as a pure function of the DataVolume, its PVC and the
 * controller's settings, following the worker contract: configuration in {@code FERRY_*}
 * variables, the volume at {@code /data} or {@code /dev/ferry-block}, secrets and CA bundles
 * as files, result in the termination message, non-root and no privileges. Restarts are the
 * controller's decision (with backoff), so the Pod never restarts itself.
 */
public final class ImporterPodBuilder {
    public static final String LABEL_COMPONENT = "cdi.kubevirt.io";
    public static final String COMPONENT = "importer";
    static final String DATA_PATH = "/data";
    static final String BLOCK_PATH = "/dev/ferry-block";
    static final String SECRET_PATH = "/var/run/ferry/source-secret";
    static final String CERT_PATH = "/var/run/ferry/source-certs";
    private static final int MAX_NAME = 63;

    private ImporterPodBuilder() {
    }

    /** {@code importer-<dv>}, shortened with a hash when the DataVolume's name is long. */
    public static String podName(DataVolume dv) {
        String name = "importer-" + dv.getMetadata().getName();
        if (name.length() <= MAX_NAME) {
            return name;
        }
        return name.substring(0, MAX_NAME - 9) + "-" + hash(name).substring(0, 8);
    }

    public static Pod build(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings)
            throws ImportSourceEnv.UnsupportedSource {
        ImportSourceEnv source = ImportSourceEnv.of(dv, settings.insecureRegistries());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(source.env());
        if (source.secretRef() != null && !source.secretRef().isEmpty()) {
            volumes.add(new VolumeBuilder().withName("source-secret").withNewSecret()
                    .withSecretName(source.secretRef()).endSecret().build());
            mounts.add(mount("source-secret", SECRET_PATH, true));
            env.put("FERRY_SECRET_DIR", SECRET_PATH);
        }
        if (source.certConfigMap() != null && !source.certConfigMap().isEmpty()) {
            volumes.add(new VolumeBuilder().withName("source-certs").withNewConfigMap()
                    .withName(source.certConfigMap()).endConfigMap().build());
            mounts.add(mount("source-certs", CERT_PATH, true));
            env.put("FERRY_CERT_DIR", CERT_PATH);
        }
        return workerPod(dv, pvc, settings, new Worker(podName(dv), COMPONENT, settings.importerImage(),
                settings.metricsPort(), env, volumes, mounts, null));
    }

    /** What differs between worker Pods: name, image, extra environment, volumes and a readiness probe. */
    record Worker(String name, String component, String image, int metricsPort, Map<String, String> env,
            List<Volume> volumes, List<VolumeMount> mounts, Probe readiness) {
    }

    /** A worker Pod as the worker contract describes it: the volume at /data or /dev/ferry-block, FERRY_* env, non-root. */
    static Pod workerPod(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings, Worker worker) {
        boolean block = "Block".equals(pvc.getSpec().getVolumeMode());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim()
                .withClaimName(pvc.getMetadata().getName()).endPersistentVolumeClaim().build());
        if (!block) {
            mounts.add(mount("data", DATA_PATH, false));
        }
        volumes.addAll(worker.volumes());
        mounts.addAll(worker.mounts());
        Map<String, String> env = new LinkedHashMap<>(worker.env());
        env.putAll(commonEnv(dv, pvc, worker.metricsPort(), block));
        Map<String, String> labels = PvcBuilder.labels(dv);
        labels.put(LABEL_COMPONENT, worker.component());
        return new PodBuilder()
                .withNewMetadata()
                .withName(worker.name())
                .withNamespace(dv.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(PvcBuilder.owner(dv))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withPriorityClassName(dv.getSpec().priorityClassName)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(settings.runAsUser())
                .withFsGroup(settings.runAsUser()).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(new ContainerBuilder()
                        .withName(worker.component())
                        .withImage(worker.image())
                        .withImagePullPolicy(settings.pullPolicy())
                        .withEnv(env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
                        .withVolumeMounts(mounts)
                        .withVolumeDevices(block ? List.of(new VolumeDevice(BLOCK_PATH, "data")) : List.of())
                        .addNewPort().withName("metrics").withContainerPort(worker.metricsPort()).withProtocol("TCP").endPort()
                        .withReadinessProbe(worker.readiness())
                        .withTerminationMessagePath("/dev/termination-log")
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

    private static Map<String, String> commonEnv(DataVolume dv, PersistentVolumeClaim pvc, int metricsPort,
            boolean block) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FERRY_CONTENT_TYPE", dv.getSpec().contentType == null ? "kubevirt" : dv.getSpec().contentType);
        Quantity size = pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
                ? null : pvc.getSpec().getResources().getRequests().get("storage");
        if (size != null && !block) {
            env.put("FERRY_IMAGE_SIZE", requestedDiskSize(dv, size).toString());
        }
        if (dv.getSpec().checksum != null) {
            env.put("FERRY_CHECKSUM", dv.getSpec().checksum);
        }
        if (Boolean.TRUE.equals(dv.getSpec().preallocation)) {
            env.put("FERRY_PREALLOCATION", "true");
        }
        env.put(block ? "FERRY_BLOCK_PATH" : "FERRY_DATA_PATH", block ? BLOCK_PATH : DATA_PATH);
        env.put("FERRY_METRICS_PORT", String.valueOf(metricsPort));
        env.put("FERRY_OWNER_UID", dv.getMetadata().getUid() == null ? "" : dv.getMetadata().getUid());
        env.put("FERRY_TERMINATION_LOG", "/dev/termination-log");
        return env;
    }

    /** The disk size the user asked for: the DataVolume's own request when it has one (before overhead). */
    private static Quantity requestedDiskSize(DataVolume dv, Quantity pvcSize) {
        if (dv.getSpec().storage != null && dv.getSpec().storage.resources != null
                && dv.getSpec().storage.resources.getRequests() != null
                && dv.getSpec().storage.resources.getRequests().get("storage") != null) {
            return dv.getSpec().storage.resources.getRequests().get("storage");
        }
        return pvcSize;
    }

    static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path).withReadOnly(readOnly).build();
    }

    static Map<String, String> labels(DataVolume dv) {
        Map<String, String> labels = PvcBuilder.labels(dv);
        labels.put(LABEL_COMPONENT, COMPONENT);
        return labels;
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
