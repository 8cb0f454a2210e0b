package dev.ferry.controllers.dataimportcron.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.meta.Condition;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.dataimportcron.CronNames;
import dev.ferry.controllers.dataimportcron.DataImportCronDecision;
import dev.ferry.controllers.dataimportcron.DicPlan;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reconciles one DataImportCron: observe ({@link DataImportCronObserver}) → {@link DataImportCronDecision}
 * (pure) → apply → status. A finalizer removes the poller and, with retention policy None, every
 * import and the DataSource the cron made, when it is deleted.
 */
public final class DataImportCronReconciler implements Reconciler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KubernetesClient client;
    private final Apply apply;
    private final WorkerSettings settings;
    private final DataImportCronObserver observer;
    private final EventRecorder events;
    private final Clock clock;
    /** Whether each cron is outdated, and whether its import is pending, for kubevirt_cdi_dataimportcron_outdated. */
    private final Map<ObjectKey, Outdated> outdated = new ConcurrentHashMap<>();

    /** A cron's row of the outdated metric. */
    public record Outdated(boolean outdated, boolean pending) {
    }

    public DataImportCronReconciler(KubernetesClient client, WorkerSettings settings, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.settings = settings;
        this.observer = new DataImportCronObserver(client, clock);
        this.events = new EventRecorder(client, clock);
        this.clock = clock;
    }

    public Map<ObjectKey, Outdated> outdated() {
        return outdated;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        DataImportCron cron = client.resources(DataImportCron.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (cron == null) {
            outdated.remove(key);
            return null;
        }
        if (cron.getMetadata().getDeletionTimestamp() != null) {
            cleanUp(cron);
            outdated.remove(key);
            return null;
        }
        cron = apply.addFinalizer(cron, CronNames.FINALIZER);
        DicPlan plan = DataImportCronDecision.decide(observer.observe(cron), settings);
        plan.create().forEach(apply::create);
        plan.delete().forEach(apply::delete);
        if (plan.dataSource() != null) {
            DataSource wanted = plan.dataSource();
            if (apply.create(wanted) == Apply.Result.EXISTED) {
                apply.edit(wanted, current -> {
                    current.getMetadata().setLabels(wanted.getMetadata().getLabels());
                    current.setSpec(wanted.getSpec());
                    return current;
                });
            }
        }
        if (!plan.annotate().isEmpty()) {
            cron = apply.edit(cron, latest -> {
                Map<String, String> annotations = new LinkedHashMap<>(latest.getMetadata().getAnnotations() == null ? Map.of()
                        : latest.getMetadata().getAnnotations());
                plan.annotate().forEach((k, v) -> {
                    if (v == null) {
                        annotations.remove(k);
                    } else {
                        annotations.put(k, v);
                    }
                });
                latest.getMetadata().setAnnotations(annotations);
                return latest;
            });
        }
        writeStatus(cron, plan.status());
        if (plan.event() != null) {
            events.record(cron, plan.event(), occurrence(plan));
        }
        outdated.put(key, new Outdated(!Conditions.isTrue(plan.status().conditions, DataImportCron.CONDITION_UP_TO_DATE),
                plan.status().conditions.stream().anyMatch(c -> DataImportCron.CONDITION_PROGRESSING.equals(c.type)
                        && ("Pending".equals(c.reason) || "WaitForFirstConsumer".equals(c.reason)))));
        return plan.requeueAfter();
    }

    /** Status written when it says something new (times aside), with transition and heartbeat times kept. */
    private void writeStatus(DataImportCron cron, DataImportCron.Status desired) {
        DataImportCron.Status current = cron.getStatus();
        if (current != null && Conditions.same(desired.conditions, current.conditions)
                && JSON.valueToTree(withoutConditions(desired)).equals(JSON.valueToTree(withoutConditions(current)))) {
            return;
        }
        List<? extends Condition> before = current == null ? null : current.conditions;
        desired.conditions = Conditions.stamp(desired.conditions, before, clock.instant());
        desired.conditions.forEach(c -> c.lastHeartbeatTime = clock.instant().toString());
        apply.editStatus(cron, latest -> {
            latest.setStatus(desired);
            return latest;
        });
    }

    private static DataImportCron.Status withoutConditions(DataImportCron.Status status) {
        DataImportCron.Status copy = new DataImportCron.Status();
        copy.currentImports = status.currentImports;
        copy.lastImportedPVC = status.lastImportedPVC;
        copy.lastExecutionTimestamp = status.lastExecutionTimestamp;
        copy.lastImportTimestamp = status.lastImportTimestamp;
        copy.sourceFormat = status.sourceFormat;
        return copy;
    }

    /** One event per reason and import (or poll), not one per reconcile. */
    private static String occurrence(DicPlan plan) {
        String failures = plan.annotate().get(CronNames.ANN_POLL_FAILURES);
        if (failures != null) {
            return failures;
        }
        return plan.status().currentImports == null || plan.status().currentImports.isEmpty() ? "0"
                : plan.status().currentImports.get(0).dataVolumeName;
    }

    /** A deleted cron: its poller goes; with retention policy None, everything labelled for clean-up goes too. */
    private void cleanUp(DataImportCron cron) {
        if (!cron.getMetadata().getFinalizers().contains(CronNames.FINALIZER)) {
            return;
        }
        String namespace = cron.getMetadata().getNamespace();
        client.pods().inNamespace(namespace).withName(CronNames.poller(cron)).delete();
        if (DataImportCron.RETAIN_NONE.equals(cron.getSpec().retentionPolicy)) {
            Map<String, String> labels = Map.of(CronNames.LABEL_CRON, cron.getMetadata().getName(), CronNames.LABEL_CLEANUP, "true");
            List<HasMetadata> made = new ArrayList<>();
            made.addAll(client.resources(DataSource.class).inNamespace(namespace).withLabels(labels).list().getItems());
            made.addAll(client.resources(DataVolume.class).inNamespace(namespace).withLabels(labels).list().getItems());
            made.addAll(client.persistentVolumeClaims().inNamespace(namespace).withLabels(labels).list().getItems());
            try {
                made.addAll(client.resources(VolumeSnapshot.class).inNamespace(namespace).withLabels(labels).list().getItems());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
            made.forEach(apply::delete);
        }
        apply.removeFinalizer(cron, CronNames.FINALIZER);
    }
}
