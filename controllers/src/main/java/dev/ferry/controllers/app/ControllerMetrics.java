package dev.ferry.controllers.app;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.dataimportcron.k8s.DataImportCronReconciler;
import dev.ferry.controllers.datavolume.k8s.DataVolumeCounters;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.controllers.schedule.ScheduleCounters;
import dev.ferry.worker.MetricsEndpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The controller's {@code /metrics}: CDI's {@code kubevirt_cdi_datavolume_pending} and
 * {@code kubevirt_cdi_dataimportcron_outdated}, DataVolumes per phase, Ferry's counters of bytes
 * imported and worker restarts, and per snapshot schedule the snapshots taken, failed and expired
 * and the seconds until its next run.
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
        ScheduleCounters schedules = controllers.schedules();
        MultiGauge untilNext = MultiGauge.builder("ferry_snapshot_schedule_next_run_seconds")
                .description("Seconds until a snapshot schedule's next run").register(registry);
        endpoint.beforeScrape(() -> {
            Instant now = Instant.now();
            schedules.all().forEach((key, counts) -> {
                Tags tags = Tags.of("kind", key.kind(), "namespace", key.schedule().namespace(), "schedule", key.schedule().name());
                FunctionCounter.builder("ferry_snapshot_schedule_taken", counts, c -> c.taken.get()).tags(tags)
                        .description("Snapshots a schedule created").register(registry);
                FunctionCounter.builder("ferry_snapshot_schedule_failed", counts, c -> c.failed.get()).tags(tags)
                        .description("Snapshots of a schedule seen failed").register(registry);
                FunctionCounter.builder("ferry_snapshot_schedule_expired", counts, c -> c.expired.get()).tags(tags)
                        .description("Snapshots a schedule's retention deleted").register(registry);
            });
            untilNext.register(schedules.all().entrySet().stream().filter(e -> e.getValue().next != null)
                    .map(e -> MultiGauge.Row.of(Tags.of("kind", e.getKey().kind(), "namespace", e.getKey().schedule().namespace(),
                            "schedule", e.getKey().schedule().name()), Math.max(0, Duration.between(now, e.getValue().next).toMillis()) / 1000.0))
                    .toList(), true);
        });
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
