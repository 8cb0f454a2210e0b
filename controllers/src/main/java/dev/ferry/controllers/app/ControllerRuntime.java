package dev.ferry.controllers.app;

import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.k8s.DataVolumeController;
import dev.ferry.controllers.k8s.DataVolumeReconciler;
import dev.ferry.controllers.k8s.Leadership;
import dev.ferry.controllers.k8s.MigrationReconciler;
import dev.ferry.controllers.k8s.VmController;
import dev.ferry.controllers.k8s.VmReconciler;
import dev.ferry.controllers.k8s.VmiReconciler;
import dev.ferry.controllers.vm.VmSettings;
import dev.ferry.controllers.k8s.WorkerProgress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * One controller replica: campaigns for the lease and, while it leads, runs the DataVolume and
 * VM controllers. Losing the lease stops the reconcilers at once ({@code onLost} decides what
 * the process does next: in a Pod, exit so it restarts clean).
 */
public final class ControllerRuntime implements AutoCloseable {
    public static final String LEASE = "ferry-controller";
    private static final Logger LOG = Logger.getLogger(ControllerRuntime.class.getName());

    private final DataVolumeReconciler reconciler;
    private final DataVolumeController controller;
    private final VmController vmController;
    private final Leadership leadership;
    private volatile boolean leading;

    public ControllerRuntime(KubernetesClient client, WorkerSettings settings, String namespace, String identity,
            Duration leaseDuration, Runnable onLost) {
        this(client, settings, VmSettings.defaults(settings.importerImage().replace("importer", "launcher"))
                .withInsecureRegistries(settings.insecureRegistries()), namespace,
                identity, leaseDuration, onLost);
    }

    public ControllerRuntime(KubernetesClient client, WorkerSettings settings, VmSettings vmSettings, String namespace,
            String identity, Duration leaseDuration, Runnable onLost) {
        VmiReconciler vmis = new VmiReconciler(client, vmSettings, Clock.systemUTC());
        this.vmController = new VmController(client, new VmReconciler(client, Clock.systemUTC()), vmis,
                new MigrationReconciler(client, vmSettings, vmis, Clock.systemUTC()));
        this.reconciler = new DataVolumeReconciler(client, settings, namespace, new WorkerProgress(), Clock.systemUTC());
        this.controller = new DataVolumeController(client, reconciler);
        this.leadership = new Leadership(client, namespace, LEASE, identity, leaseDuration, () -> {
            leading = true;
            controller.start();
            vmController.start();
        }, () -> {
            boolean was = leading;
            leading = false;
            controller.close();
            vmController.close();
            if (was) {
                LOG.warning(() -> identity + " lost the lease; reconcilers stopped");
                onLost.run();
            }
        });
    }

    public boolean leading() {
        return leading;
    }

    public DataVolumeController controller() {
        return controller;
    }

    public VmController vmController() {
        return vmController;
    }

    public DataVolumeReconciler reconciler() {
        return reconciler;
    }

    @Override
    public void close() {
        leadership.close();
        controller.close();
        vmController.close();
    }
}
