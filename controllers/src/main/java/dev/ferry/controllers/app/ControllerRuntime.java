package dev.ferry.controllers.app;

import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.controllers.runtime.k8s.Leadership;
import dev.ferry.controllers.vmi.VmSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * One controller replica: campaigns for the lease and, while it leads, runs every controller.
 * Losing the lease stops them at once ({@code onLost} decides what the process does next: in a
 * Pod, exit so it restarts clean).
 */
public final class ControllerRuntime implements AutoCloseable {
    public static final String LEASE = "ferry-controller";
    private static final Logger LOG = Logger.getLogger(ControllerRuntime.class.getName());

    private final Controllers controllers;
    private final Leadership leadership;
    private volatile boolean leading;

    public ControllerRuntime(KubernetesClient client, WorkerSettings workers, VmSettings vms, String namespace, String identity,
            Duration leaseDuration, Runnable onLost) {
        this.controllers = new Controllers(client, workers, vms, namespace, Clock.systemUTC());
        this.leadership = new Leadership(client, namespace, LEASE, identity, leaseDuration, () -> {
            leading = true;
            controllers.all().forEach(c -> c.start(client));
        }, () -> {
            boolean was = leading;
            leading = false;
            controllers.all().forEach(InformerController::close);
            if (was) {
                LOG.warning(() -> identity + " lost the lease; reconcilers stopped");
                onLost.run();
            }
        });
    }

    public boolean leading() {
        return leading;
    }

    /** Whether every controller's informers have synced. */
    public boolean synced() {
        return leading && controllers.all().stream().allMatch(InformerController::synced);
    }

    public Controllers controllers() {
        return controllers;
    }

    @Override
    public void close() {
        leadership.close();
        controllers.all().forEach(InformerController::close);
    }
}
