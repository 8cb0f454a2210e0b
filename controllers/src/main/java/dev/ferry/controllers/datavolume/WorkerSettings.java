package dev.ferry.controllers.datavolume;

/**
 * Controller configuration for the worker Pods it creates.
 *
 * @param importerImage the importer worker's image
 * @param pullPolicy image pull policy
 * @param cpuRequest CPU request (and limit) of a worker container, e.g. {@code 100m}
 * @param memoryRequest memory request, e.g. {@code 256Mi}; the limit is {@code memoryLimit}
 * @param memoryLimit memory limit: Ferry's workers stay under 256 MiB whatever the image size
 * @param metricsPort the port workers serve Prometheus metrics on
 * @param runAsUser the non-root user workers run as (107, qemu's, as CDI)
 * @param uploadServerImage the upload server worker's image
 * @param uploadTlsSecret the Secret (tls.crt, tls.key) upload servers present to the proxy, or null for plain HTTP
 * @param insecureRegistries registries (host or host:port) reached over plain HTTP, as CDIConfig's insecureRegistries
 */
public record WorkerSettings(String importerImage, String pullPolicy, String cpuRequest, String memoryRequest,
        String memoryLimit, int metricsPort, long runAsUser, String uploadServerImage, String uploadTlsSecret,
        java.util.List<String> insecureRegistries) {
    public static final String DEFAULT_UPLOAD_TLS_SECRET = "ferry-upload-server-tls";

    public static WorkerSettings defaults(String importerImage) {
        return new WorkerSettings(importerImage, "IfNotPresent", "100m", "256Mi", "384Mi", 8443, 107,
                importerImage.replace("importer", "upload-server"), DEFAULT_UPLOAD_TLS_SECRET, java.util.List.of());
    }

    public WorkerSettings withUploadTlsSecret(String secret) {
        return new WorkerSettings(importerImage, pullPolicy, cpuRequest, memoryRequest, memoryLimit, metricsPort,
                runAsUser, uploadServerImage, secret, insecureRegistries);
    }

    public WorkerSettings withInsecureRegistries(java.util.List<String> registries) {
        return new WorkerSettings(importerImage, pullPolicy, cpuRequest, memoryRequest, memoryLimit, metricsPort,
                runAsUser, uploadServerImage, uploadTlsSecret, java.util.List.copyOf(registries));
    }
}
