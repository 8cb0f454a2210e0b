package dev.ferry.controllers.vmi;

import dev.ferry.worker.WorkerPods;
import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.launcher.LauncherClient;
import io.fabric8.kubernetes.api.model.Pod;

/** Where a launcher Pod answers its control API: its IP, at the port its node announced (else the default). */
public final class LauncherAddress {
    private LauncherAddress() {
    }

    /** The launcher of a running Pod, or null while it has no address. */
    public static LauncherClient client(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getPodIP() == null || !"Running".equals(pod.getStatus().getPhase())) {
            return null;
        }
        String port = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(WorkerPods.ANN_METRICS_PORT);
        return new LauncherClient(pod.getStatus().getPodIP(), port == null ? LauncherEnv.DEFAULT_CONTROL_PORT : Integer.parseInt(port));
    }
}
