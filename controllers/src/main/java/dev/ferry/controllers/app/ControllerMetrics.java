package dev.ferry.controllers.app;

import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.k8s.DataVolumeController;
import dev.ferry.controllers.k8s.DataVolumeReconciler;
import dev.ferry.worker.MetricsEndpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

/**
 * The controller's {@code /metrics}: CDI's {@code kubevirt_cdi_datavolume_pending}, DataVolumes
 * per phase, and Ferry's counters of bytes imported and worker restarts.
 */
public final class ControllerMetrics implements AutoCloseable {
    private final MetricsEndpoint endpoint;

    public ControllerMetrics(int port, DataVolumeController controller, DataVolumeReconciler reconciler) throws IOException {
        endpoint = new MetricsEndpoint(port);
        PrometheusMeterRegistry registry = endpoint.registry();
        Gauge.builder("kubevirt_cdi_datavolume_pending", controller, c -> c.countInPhase(Phases.PENDING))
                .description("Number of DataVolumes pending for default storage class to be configured").register(registry);
        for (String phase : new String[] {Phases.IMPORT_IN_PROGRESS, Phases.UPLOAD_READY, Phases.SUCCEEDED, Phases.FAILED}) {
            Gauge.builder("ferry_datavolumes", controller, c -> c.countInPhase(phase)).tag("phase", phase)
                    .description("DataVolumes by phase").register(registry);
        }
        FunctionCounter.builder("ferry_imported_source_bytes", reconciler, DataVolumeReconciler::importedSourceBytes)
                .description("Source bytes read by workers that succeeded").register(registry);
        FunctionCounter.builder("ferry_worker_restarts", reconciler, DataVolumeReconciler::workerRestarts)
                .description("Workers restarted after a transient failure").register(registry);
    }

    public int port() {
        return endpoint.port();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
