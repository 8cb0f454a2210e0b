package dev.ferry.controllers.vm;

/**
 * Controller configuration for launcher Pods.
 *
 * @param launcherImage the launcher worker's image
 * @param pullPolicy image pull policy
 * @param accelerator kvm, qemu (TCG) or auto (probe /dev/kvm with a short timeout)
 * @param controlPort the port launchers answer the node handler on (their metrics port)
 */
public record VmSettings(String launcherImage, String pullPolicy, String accelerator, int controlPort) {
    public static VmSettings defaults(String launcherImage) {
        return new VmSettings(launcherImage, "IfNotPresent", "auto", 8443);
    }
}
