package dev.ferry.controllers.dataimportcron.k8s;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.dataimportcron.CronNames;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.k8s.InformerController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;

/**
 * The DataImportCron controller: crons, woken by what carries their label — poller Pods, import
 * DataVolumes and claims, their DataSource. Snapshots are polled while a snapshot-format import
 * waits on one (a cluster need not serve the snapshot API).
 */
public final class DataImportCronControllers {
    private DataImportCronControllers() {
    }

    public static InformerController<DataImportCron> controller(DataImportCronReconciler reconciler) {
        return new InformerController<DataImportCron>("ferry-dataimportcrons", c -> c.resources(DataImportCron.class).inAnyNamespace(),
                reconciler)
                .watch(c -> c.pods().inAnyNamespace().withLabel(CronNames.LABEL_CRON), (pod, store) -> cron(pod))
                .watch(c -> c.resources(DataVolume.class).inAnyNamespace().withLabel(CronNames.LABEL_CRON), (dv, store) -> cron(dv))
                .watch(c -> c.persistentVolumeClaims().inAnyNamespace().withLabel(CronNames.LABEL_CRON), (pvc, store) -> cron(pvc))
                .watch(c -> c.resources(DataSource.class).inAnyNamespace().withLabel(CronNames.LABEL_CRON), (ds, store) -> cron(ds));
    }

    private static Collection<ObjectKey> cron(HasMetadata object) {
        String name = object.getMetadata().getLabels() == null ? null : object.getMetadata().getLabels().get(CronNames.LABEL_CRON);
        return name == null ? List.of() : List.of(new ObjectKey(object.getMetadata().getNamespace(), name));
    }
}
