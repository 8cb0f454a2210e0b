package dev.ferry.controllers.app;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.dataimportcron.k8s.DataImportCronReconciler;
import dev.ferry.controllers.datavolume.k8s.DataVolumeCounters;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.worker.MetricsEndpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.Map;

/**
 * The controller's {@code /metrics}: CDI's {@code kubevirt_cdi_datavolume_pending} and
 * {@code kubevirt_cdi_dataimportcron_outdated}, DataVolumes per phase, and Ferry's counters of
 * bytes imported and worker restarts.
 */
public final class ControllerMetrics implements AutoCloseable {
    private final MetricsEndpoint endpoint;

    public ControllerMetrics(int port, Controllers controllers) throws IOException {
        endpoint = new MetricsEndpoint(port);
        PrometheusMeterRegistry registry = endpoint.registry();
        InformerController<DataVolume> dataVolumes = controllers.dataVolumeController();
        Gauge.builder("kubevirt_cdi_datavolume_pending", dataVolumes, c -> inPhase(c, Phases.PENDING))
                .description("Number of DataVolumes pending for default storage class to be configured").register(registry);
        for (String phase : new String[] {Phases.IMPORT_IN_PROGRESS, Phases.UPLOAD_READY, Phases.SUCCEEDED, Phases.FAILED}) {
            Gauge.builder("ferry_datavolumes", dataVolumes, c -> inPhase(c, phase)).tag("phase", phase)
                    .description("DataVolumes by phase").register(registry);
        }
        DataVolumeCounters counters = controllers.dataVolumes().counters();
        FunctionCounter.builder("ferry_imported_source_bytes", counters, DataVolumeCounters::importedSourceBytes)
                .description("Source bytes read by workers that succeeded").register(registry);
        FunctionCounter.builder("ferry_worker_restarts", counters, DataVolumeCounters::workerRestarts)
                .description("Workers restarted after a transient failure").register(registry);
        Map<ObjectKey, DataImportCronReconciler.Outdated> crons = controllers.dataImportCrons().outdated();
        MultiGauge outdated = MultiGauge.builder("kubevirt_cdi_dataimportcron_outdated")
                .description("DataImportCron has an outdated import").register(registry);
        endpoint.beforeScrape(() -> outdated.register(crons.entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of(
                "namespace", e.getKey().namespace(), "cron_name", e.getKey().name(), "pending", String.valueOf(e.getValue().pending())),
                e.getValue().outdated() ? 1 : 0)).toList(), true));
    }

    /** DataVolumes the informer knows in {@code phase} (one without status counts as Pending). */
    private static long inPhase(InformerController<DataVolume> controller, String phase) {
        return controller.cached().stream()
                .filter(dv -> dv.getStatus() != null ? phase.equals(dv.getStatus().phase) : Phases.PENDING.equals(phase)).count();
    }

    public int port() {
        return endpoint.port();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
