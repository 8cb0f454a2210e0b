package dev.ferry.controllers.app;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.controllers.dataimportcron.k8s.DataImportCronReconciler;
import dev.ferry.controllers.datavolume.k8s.DataVolumeCounters;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.controllers.schedule.ScheduleCounters;
import dev.ferry.worker.MetricsEndpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The controller's {@code /metrics}: CDI's {@code kubevirt_cdi_datavolume_pending},
 * {@code kubevirt_cdi_dataimportcron_outdated}, {@code kubevirt_cdi_*_pods_high_restart} and
 * {@code kubevirt_cdi_storageprofile_info}; KubeVirt's {@code kubevirt_vmi_non_evictable} and
 * migration gauges; DataVolumes per phase and failed ones per reason, Ferry's counters of bytes
 * imported and worker restarts, each VMI's last migration pause, and per snapshot schedule the
 * snapshots taken, failed and expired and the seconds until its next run. What the rules and the
 * dashboard under {@code manifests/monitoring} query.
 */
public final class ControllerMetrics implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControllerMetrics.class.getName());
    /** Phases shown even when no DataVolume is in them, so that a dashboard's series do not come and go. */
    private static final List<String> ALWAYS_PHASES = List.of(Phases.PENDING, Phases.IMPORT_IN_PROGRESS, Phases.CLONE_IN_PROGRESS,
            Phases.UPLOAD_READY, Phases.SUCCEEDED, Phases.FAILED);
    private final MetricsEndpoint endpoint;

    public ControllerMetrics(int port, Controllers controllers) throws IOException {
        endpoint = new MetricsEndpoint(port);
        PrometheusMeterRegistry registry = endpoint.registry();
        InformerController<DataVolume> dataVolumes = controllers.dataVolumeController();
        Gauge.builder("kubevirt_cdi_datavolume_pending", dataVolumes, c -> inPhase(c, Phases.PENDING))
                .description("Number of DataVolumes pending for default storage class to be configured").register(registry);
        MultiGauge phases = MultiGauge.builder("ferry_datavolumes").description("DataVolumes by phase").register(registry);
        endpoint.beforeScrape(() -> phases.register(rows(StateMetrics.phases(dataVolumes.cached(), ALWAYS_PHASES)), true));
        for (String population : new String[] {"import", "upload", "clone"}) {
            Gauge.builder("kubevirt_cdi_" + population + "_pods_high_restart", dataVolumes,
                    c -> StateMetrics.highRestarts(c.cached(), population))
                    .description("The number of CDI " + population + " pods with high restart count").register(registry);
        }
        MultiGauge failed = MultiGauge.builder("ferry_datavolume_failed")
                .description("Failed DataVolumes by population kind and reason").register(registry);
        endpoint.beforeScrape(() -> failed.register(rows(StateMetrics.failures(dataVolumes.cached())), true));
        // an info metric: Micrometer would strip the _info suffix from a gauge, so this one is the Prometheus client's own
        KubernetesClient client = controllers.client();
        registry.getPrometheusRegistry().register(() -> storageProfiles(client));
        InformerController<VirtualMachineInstance> vmis = controllers.vmiController();
        InformerController<VirtualMachineInstanceMigration> migrations = controllers.migrationController();
        MultiGauge nonEvictable = MultiGauge.builder("kubevirt_vmi_non_evictable")
                .description("Indication for a VirtualMachine that its eviction strategy is set to Live Migration but is not migratable")
                .register(registry);
        endpoint.beforeScrape(() -> nonEvictable.register(rows(StateMetrics.nonEvictable(vmis.cached())), true));
        for (String group : new String[] {"pending", "scheduling", "running"}) {
            Gauge.builder("kubevirt_vmi_migrations_in_" + group + "_phase", migrations, c -> StateMetrics.migrationsIn(c.cached(), group))
                    .description("Number of current " + group + " migrations").register(registry);
        }
        MultiGauge succeeded = MultiGauge.builder("kubevirt_vmi_migration_succeeded")
                .description("Indicates if the VMI migration succeeded").register(registry);
        MultiGauge migrationFailed = MultiGauge.builder("kubevirt_vmi_migration_failed")
                .description("Indicates if the VMI migration failed").register(registry);
        MultiGauge downtime = MultiGauge.builder("ferry_vmi_migration_downtime_seconds")
                .description("The guest's pause in its last completed live migration (QEMU's downtime)").register(registry);
        endpoint.beforeScrape(() -> {
            List<VirtualMachineInstanceMigration> all = migrations.cached();
            succeeded.register(rows(StateMetrics.migrationsEnded(all, VirtualMachineInstanceMigration.SUCCEEDED)), true);
            migrationFailed.register(rows(StateMetrics.migrationsEnded(all, VirtualMachineInstanceMigration.FAILED)), true);
            downtime.register(rows(StateMetrics.migrationDowntime(vmis.cached())), true);
        });
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

    /**
     * CDI's {@code kubevirt_cdi_storageprofile_info}, read from the API at scrape time (no informer
     * caches storage classes); when the API does not answer, the scrape goes on without it.
     */
    private static InfoSnapshot storageProfiles(KubernetesClient client) {
        InfoSnapshot.Builder info = InfoSnapshot.builder().name("kubevirt_cdi_storageprofile").help("StorageProfiles info labels: "
                + "storageclass, provisioner, complete indicates if all storage profiles recommended PVC settings are complete, "
                + "default, virtdefault, rwx, smartclone");
        try {
            for (StateMetrics.Row row : StateMetrics.storageProfiles(client.storage().v1().storageClasses().list().getItems(),
                    client.resources(StorageProfile.class).list().getItems())) {
                Labels.Builder labels = Labels.builder();
                row.labels().forEach(labels::label);
                info.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels.build()).build());
            }
        } catch (KubernetesClientException e) {
            LOG.warning(() -> "storage profile metrics not read: " + e.getMessage());
        }
        return info.build();
    }

    private static List<MultiGauge.Row<?>> rows(List<StateMetrics.Row> rows) {
        return rows.stream().<MultiGauge.Row<?>>map(r -> MultiGauge.Row.of(Tags.of(r.labels().entrySet().stream()
                .map(e -> Tag.of(e.getKey(), e.getValue())).toList()), r.value())).toList();
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
