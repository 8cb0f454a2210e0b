package dev.ferry.controllers.vm;

/**
 * Controller configuration for launcher Pods.
 *
 * @param launcherImage the launcher worker's image
 * @param pullPolicy image pull policy
 * @param accelerator kvm, qemu (TCG) or auto (probe /dev/kvm with a short timeout)
 * @param controlPort the port launchers answer the node handler on (their metrics port)
 * @param insecureRegistries registries (host or host:port) whose containerDisks are pulled over plain HTTP
 */
public record VmSettings(String launcherImage, String pullPolicy, String accelerator, int controlPort,
        java.util.List<String> insecureRegistries) {
    public static VmSettings defaults(String launcherImage) {
        return new VmSettings(launcherImage, "IfNotPresent", "auto", 8443, java.util.List.of());
    }

    public VmSettings withInsecureRegistries(java.util.List<String> registries) {
        return new VmSettings(launcherImage, pullPolicy, accelerator, controlPort, java.util.List.copyOf(registries));
    }
}
