package dev.ferry.controllers.dataimportcron;

import dev.ferry.api.cdi.v1beta1.Annotations;
import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeSpec;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.datavolume.ImportSource;
import dev.ferry.controllers.datavolume.ImporterPodBuilder;
import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.datavolume.WorkerPodBuilder;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.Models;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.env.SourcePollerEnv;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a DataImportCron makes: the poller Pod, import DataVolumes, snapshots and its DataSource — pure functions of the cron. */
public final class CronObjects {
    private CronObjects() {
    }

    /** The template as a DataVolume of the cron's namespace (for the source's URL and access). */
    public static DataVolume templateVolume(DataImportCron cron) {
        DataVolume dv = new DataVolume();
        dv.getMetadata().setName(cron.getMetadata().getName());
        dv.getMetadata().setNamespace(cron.getMetadata().getNamespace());
        dv.getMetadata().setUid(cron.getMetadata().getUid());
        dv.setSpec(Models.copy(cron.getSpec().template.spec, DataVolumeSpec.class));
        return dv;
    }

    /** The poller: the importer's registry client in a short Pod, reporting the digest in its termination message. */
    static Pod poller(DataImportCron cron, WorkerSettings settings) throws ImportSource.UnsupportedSource {
        ImporterPodBuilder.SourceMount source = ImporterPodBuilder.source(templateVolume(cron), settings);
        SourcePollerEnv env = new SourcePollerEnv(source.url(), source.access(), Reporting.of(-1, cron.getMetadata().getUid()));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(PvcBuilder.LABEL_APP, PvcBuilder.APP);
        labels.put(CronNames.LABEL_CRON, cron.getMetadata().getName());
        return WorkerPodBuilder.build(cron.getMetadata().getNamespace(), labels, List.of(owner(cron)), null, null, settings,
                new WorkerPodBuilder.Worker(CronNames.poller(cron), WorkerKind.SOURCE_POLLER, settings.images().importer(),
                        settings.metricsPort(), env.toEnv(), source.volumes(), source.mounts(), null));
    }

    /**
     * The import of {@code digest}: the template's DataVolume named for the digest, its registry URL
     * pinned to it, bound at once, labelled with the cron (and for clean-up with it when its
     * retention policy is None), its last use now.
     */
    static DataVolume importVolume(DataImportCron cron, String digest, Instant now) {
        DataVolume dv = templateVolume(cron);
        dv.getMetadata().setUid(null);
        dv.getMetadata().setName(CronNames.importName(cron, digest));
        var template = cron.getSpec().template.metadata;
        Map<String, String> labels = new LinkedHashMap<>(template == null || template.getLabels() == null ? Map.of() : template.getLabels());
        labels.put(CronNames.LABEL_CRON, cron.getMetadata().getName());
        if (DataImportCron.RETAIN_NONE.equals(cron.getSpec().retentionPolicy)) {
            labels.put(CronNames.LABEL_CLEANUP, "true");
        }
        dv.getMetadata().setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>(template == null || template.getAnnotations() == null ? Map.of()
                : template.getAnnotations());
        annotations.put(Annotations.IMMEDIATE_BIND, "true");
        annotations.put(CronNames.ANN_LAST_USE_TIME, now.toString());
        dv.getMetadata().setAnnotations(annotations);
        if (dv.getSpec().source != null && dv.getSpec().source.registry != null && dv.getSpec().source.registry.url != null) {
            dv.getSpec().source.registry.url = CronNames.pinned(dv.getSpec().source.registry.url, digest);
        }
        return dv;
    }

    /** The snapshot a snapshot-format import becomes: same name, same labels. */
    static VolumeSnapshot snapshot(DataImportCron cron, DataVolume imported, String snapshotClass) {
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.getMetadata().setName(imported.getMetadata().getName());
        vs.getMetadata().setNamespace(cron.getMetadata().getNamespace());
        vs.getMetadata().setLabels(new LinkedHashMap<>(imported.getMetadata().getLabels()));
        vs.getMetadata().setAnnotations(Map.of(CronNames.ANN_LAST_USE_TIME,
                imported.getMetadata().getAnnotations().getOrDefault(CronNames.ANN_LAST_USE_TIME, "")));
        vs.setSpec(new VolumeSnapshot.Spec());
        vs.getSpec().source = new VolumeSnapshot.Source();
        vs.getSpec().source.persistentVolumeClaimName = imported.getMetadata().getName();
        vs.getSpec().volumeSnapshotClassName = snapshotClass;
        return vs;
    }

    /** The managed DataSource pointing at import {@code name} (a claim, or a snapshot), labelled with the cron. */
    static DataSource dataSource(DataImportCron cron, DataSource current, String name, boolean snapshot) {
        DataSource ds = current == null ? new DataSource() : Models.copy(current, DataSource.class);
        ds.getMetadata().setResourceVersion(null);
        ds.getMetadata().setName(cron.getSpec().managedDataSource);
        ds.getMetadata().setNamespace(cron.getMetadata().getNamespace());
        Map<String, String> labels = new LinkedHashMap<>(ds.getMetadata().getLabels() == null ? Map.of() : ds.getMetadata().getLabels());
        labels.put(CronNames.LABEL_CRON, cron.getMetadata().getName());
        if (DataImportCron.RETAIN_NONE.equals(cron.getSpec().retentionPolicy)) {
            labels.put(CronNames.LABEL_CLEANUP, "true");
        }
        ds.getMetadata().setLabels(labels);
        ds.setSpec(new DataSource.Spec());
        ds.getSpec().source = new DataSource.Source();
        DataVolumeSource.ObjectRef ref = new DataVolumeSource.ObjectRef();
        ref.namespace = cron.getMetadata().getNamespace();
        ref.name = name;
        if (snapshot) {
            ds.getSpec().source.snapshot = ref;
        } else {
            ds.getSpec().source.pvc = ref;
        }
        return ds;
    }

    static OwnerReference owner(DataImportCron cron) {
        return new OwnerReferenceBuilder().withApiVersion(DataVolume.GROUP + "/" + DataVolume.VERSION).withKind("DataImportCron")
                .withName(cron.getMetadata().getName()).withUid(cron.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).build();
    }
}
