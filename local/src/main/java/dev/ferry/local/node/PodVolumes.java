package dev.ferry.local.node;

import dev.ferry.local.storage.LocalPathStorage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Pod's volumes as local paths, as a kubelet mounts them: a claim is its local-path directory
 * or block file; a Secret or ConfigMap becomes files under the Pod's directory. A container path
 * in the Pod's environment (/data, /dev/ferry-block, a secret mount) is remapped to its local path.
 */
final class PodVolumes {
    private final KubernetesClient client;
    private final LocalPathStorage storage;

    PodVolumes(KubernetesClient client, LocalPathStorage storage) {
        this.client = client;
        this.storage = storage;
    }

    /** Container path → local path for every mount and device of {@code container}; throws when one is not ready. */
    Map<String, Path> mount(Pod pod, Container container, Path podDir) throws IOException, NotReadyException {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path local = materialize(pod, volume, podDir);
            for (VolumeMount mount : container.getVolumeMounts()) {
                if (mount.getName().equals(volume.getName())) {
                    mounts.put(mount.getMountPath(), local);
                }
            }
            for (VolumeDevice device : container.getVolumeDevices() == null ? List.<VolumeDevice>of() : container.getVolumeDevices()) {
                if (device.getName().equals(volume.getName())) {
                    mounts.put(device.getDevicePath(), local);
                }
            }
        }
        return mounts;
    }

    /** A volume that cannot be mounted yet: the Pod stays Pending with {@link #reason()}. */
    static final class NotReadyException extends Exception {
        private final String reason;

        NotReadyException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }

    private Path materialize(Pod pod, Volume volume, Path podDir) throws IOException, NotReadyException {
        String namespace = pod.getMetadata().getNamespace();
        if (volume.getPersistentVolumeClaim() != null) {
            String claim = volume.getPersistentVolumeClaim().getClaimName();
            Path path = storage.path(namespace, claim);
            if (path == null) {
                throw new NotReadyException("WaitingForVolume", "claim " + claim + " is not bound yet");
            }
            return path;
        }
        Path files = Files.createDirectories(podDir.resolve("volumes").resolve(volume.getName()));
        if (volume.getSecret() != null) {
            Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
            if (secret == null) {
                throw new NotReadyException("SecretMissing", "Secret " + volume.getSecret().getSecretName() + " does not exist");
            }
            for (Map.Entry<String, String> e : (secret.getData() == null ? Map.<String, String>of() : secret.getData()).entrySet()) {
                Files.write(files.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
            }
            for (Map.Entry<String, String> e : (secret.getStringData() == null ? Map.<String, String>of()
                    : secret.getStringData()).entrySet()) {
                Files.writeString(files.resolve(e.getKey()), e.getValue());
            }
        } else if (volume.getConfigMap() != null) {
            ConfigMap map = client.configMaps().inNamespace(namespace).withName(volume.getConfigMap().getName()).get();
            if (map == null) {
                throw new NotReadyException("ConfigMapMissing", "ConfigMap " + volume.getConfigMap().getName() + " does not exist");
            }
            for (Map.Entry<String, String> e : (map.getData() == null ? Map.<String, String>of() : map.getData()).entrySet()) {
                Files.writeString(files.resolve(e.getKey()), e.getValue());
            }
        }
        return files;
    }

    /** A container path in an environment value (/data, /dev/ferry-block, a secret mount) → its local path. */
    static String remap(String value, Map<String, Path> mounts) {
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            String path = mount.getKey();
            if (value.equals(path) || value.startsWith(path + "/")) {
                return mount.getValue() + value.substring(path.length());
            }
        }
        return value;
    }
}
