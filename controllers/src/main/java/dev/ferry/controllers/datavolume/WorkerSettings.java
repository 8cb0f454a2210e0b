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
 */
public record WorkerSettings(String importerImage, String pullPolicy, String cpuRequest, String memoryRequest,
        String memoryLimit, int metricsPort, long runAsUser) {
    public static WorkerSettings defaults(String importerImage) {
        return new WorkerSettings(importerImage, "IfNotPresent", "100m", "256Mi", "384Mi", 8443, 107);
    }
}
