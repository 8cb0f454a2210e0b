package dev.ferry.controllers.datavolume;

import dev.ferry.worker.env.ControllerEnv;
import dev.ferry.worker.env.WorkerImages;
import java.util.List;

/**
 * Controller configuration for the worker Pods it creates.
 *
 * @param images each worker's image, from the controller's configuration
 * @param pullPolicy image pull policy
 * @param cpuRequest CPU request (and limit) of a worker container, e.g. {@code 100m}
 * @param memoryRequest memory request, e.g. {@code 256Mi}; the limit is {@code memoryLimit}
 * @param memoryLimit memory limit: Ferry's workers stay under 256 MiB whatever the image size
 * @param metricsPort the port importers serve Prometheus metrics on
 * @param runAsUser the non-root user workers run as (107, qemu's, as CDI)
 * @param uploadTlsSecret the Secret (tls.crt, tls.key) upload servers present to the proxy, or null for plain HTTP
 * @param insecureRegistries registries (host or host:port) reached over plain HTTP, as CDIConfig's insecureRegistries
 */
public record WorkerSettings(WorkerImages images, String pullPolicy, String cpuRequest, String memoryRequest,
        String memoryLimit, int metricsPort, long runAsUser, String uploadTlsSecret, List<String> insecureRegistries) {

    public WorkerSettings {
        insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
    }

    public static WorkerSettings defaults(WorkerImages images) {
        return new WorkerSettings(images, "IfNotPresent", "100m", "256Mi", "384Mi", 8443, 107,
                ControllerEnv.DEFAULT_UPLOAD_TLS_SECRET, List.of());
    }

    /** What the controller's environment configures. */
    public static WorkerSettings of(ControllerEnv env) {
        return defaults(env.images()).withUploadTlsSecret(env.uploadTlsSecret()).withInsecureRegistries(env.insecureRegistries());
    }

    public WorkerSettings withUploadTlsSecret(String secret) {
        return new WorkerSettings(images, pullPolicy, cpuRequest, memoryRequest, memoryLimit, metricsPort, runAsUser, secret,
                insecureRegistries);
    }

    public WorkerSettings withInsecureRegistries(List<String> registries) {
        return new WorkerSettings(images, pullPolicy, cpuRequest, memoryRequest, memoryLimit, metricsPort, runAsUser,
                uploadTlsSecret, registries);
    }
}
