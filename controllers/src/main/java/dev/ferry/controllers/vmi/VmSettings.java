package dev.ferry.controllers.vmi;

import dev.ferry.worker.env.ControllerEnv;
import dev.ferry.worker.env.LauncherEnv;
import java.util.List;

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
        List<String> insecureRegistries) {

    public VmSettings {
        insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
    }

    public static VmSettings defaults(String launcherImage) {
        return new VmSettings(launcherImage, "IfNotPresent", "auto", LauncherEnv.DEFAULT_CONTROL_PORT, List.of());
    }

    /** What the controller's environment configures. */
    public static VmSettings of(ControllerEnv env) {
        return new VmSettings(env.images().launcher(), "IfNotPresent", env.accelerator(), LauncherEnv.DEFAULT_CONTROL_PORT,
                env.insecureRegistries());
    }

    public VmSettings withInsecureRegistries(List<String> registries) {
        return new VmSettings(launcherImage, pullPolicy, accelerator, controlPort, registries);
    }
}
