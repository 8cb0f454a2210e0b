package dev.ferry.controllers.dataimportcron;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.meta.Condition;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A DataImportCron's decision over time: polls, imports, the DataSource, collection, failures — pure, on given instants. */
class DataImportCronDecisionTest {
    private static final WorkerSettings SETTINGS = Settings.workers();
    private static final Instant MONDAY = Instant.parse("2026-12-07T00:00:00Z");
    private static final String DIGEST_A = "sha256:aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111";
    private static final String DIGEST_B = "sha256:bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222";

    private DataImportCron cron;
    private Instant now = MONDAY;
    private DicObserved.Poll poller;
    private DataVolume dataVolume;
    private VolumeSnapshot snapshot;
    private final List<HasMetadata> imports = new ArrayList<>();
    private DataSource dataSource;
    private String format = DataImportCron.FORMAT_PVC;
    private String snapshotClass;
    private String unauthorized;
    private String claimDigest;

    @BeforeEach
    void setUp() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/cdi-examples/dataimportcron.yaml")) {
            cron = Serialization.unmarshal(in, DataImportCron.class);
        }
        cron.getMetadata().setUid("4f1c2a77-0000-0000-0000-000000000001");
    }

    private DicPlan decide() {
        DicPlan plan = DataImportCronDecision.decide(new DicObserved(cron, now, poller, claimDigest, dataVolume, null, snapshot, imports,
                dataSource, format, snapshotClass, unauthorized), SETTINGS);
        // what the reconciler writes back
        Map<String, String> annotations = new LinkedHashMap<>(cron.getMetadata().getAnnotations() == null ? Map.of()
                : cron.getMetadata().getAnnotations());
        plan.annotate().forEach((k, v) -> {
            if (v == null) {
                annotations.remove(k);
            } else {
                annotations.put(k, v);
            }
        });
        cron.getMetadata().setAnnotations(annotations);
        cron.setStatus(plan.status());
        return plan;
    }

    private static Condition condition(DicPlan plan, String type) {
        return plan.status().conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static <T> T created(DicPlan plan, Class<T> kind) {
        return (T) plan.create().stream().filter(kind::isInstance).findFirst().orElseThrow();
    }

    private void pollerEnded(TerminationMessage result) {
        poller = new DicObserved.Poll(result.succeeded() ? "Succeeded" : "Failed", result);
    }

    @Test
    void aNewCronPollsAtOnceThenOnItsSchedule() {
        DicPlan first = decide();
        Pod pod = created(first, Pod.class);
        assertThat(pod.getMetadata().getName()).isEqualTo("poller-fedora-image-cron-4f1c2a77");
        assertThat(pod.getSpec().getContainers().get(0).getArgs()).containsExactly("worker", "source-poller");
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("FERRY_SOURCE_URL", "docker://quay.io/containerdisks/fedora:latest"));
        assertThat(pod.getSpec().getVolumes()).as("a poller needs no volume").isEmpty();
        assertThat(first.annotate()).containsEntry(CronNames.ANN_LAST_CRON_TIME, MONDAY.toString())
                .containsEntry(CronNames.ANN_NEXT_CRON_TIME, "2026-12-07T01:30:00Z");
        assertThat(first.status().lastExecutionTimestamp).isEqualTo(MONDAY.toString());
        assertThat(condition(first, "UpToDate").reason).isEqualTo("NoDigest");
        assertThat(first.requeueAfter()).isEqualTo(Duration.ofSeconds(2));

        poller = new DicObserved.Poll("Running", null);
        assertThat(decide().create()).as("one poll at a time").isEmpty();

        pollerEnded(TerminationMessage.digest(DIGEST_A, "found"));
        DicPlan imported = decide();
        assertThat(imported.annotate()).containsEntry(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        assertThat(imported.delete()).extracting(o -> o.getMetadata().getName()).containsExactly("poller-fedora-image-cron-4f1c2a77");
        DataVolume dv = created(imported, DataVolume.class);
        assertThat(dv.getMetadata().getName()).isEqualTo("fedora-aaaaaaaaaaaa");
        assertThat(dv.getSpec().source.registry.url).isEqualTo("docker://quay.io/containerdisks/fedora@" + DIGEST_A);
        assertThat(dv.getMetadata().getLabels()).containsEntry(CronNames.LABEL_CRON, "fedora-image-cron");
        assertThat(dv.getMetadata().getAnnotations()).containsEntry("cdi.kubevirt.io/storage.bind.immediate.requested", "true")
                .containsEntry(CronNames.ANN_LAST_USE_TIME, MONDAY.toString());
        assertThat(imported.status().currentImports).extracting(i -> i.dataVolumeName + "=" + i.digest)
                .containsExactly("fedora-aaaaaaaaaaaa=" + DIGEST_A);
        assertThat(condition(imported, "Progressing").status).isEqualTo("True");
        assertThat(condition(imported, "UpToDate").reason).isEqualTo("ImportProgressing");
        assertThat(imported.requeueAfter()).as("until the next scheduled poll").isEqualTo(Duration.ofMinutes(90));

        poller = null;
        now = Instant.parse("2026-12-07T01:30:00Z");
        dataVolume = succeeded(dv);
        DicPlan due = decide();
        assertThat(created(due, Pod.class)).as("the scheduled poll").isNotNull();
        assertThat(due.annotate()).containsEntry(CronNames.ANN_NEXT_CRON_TIME, "2026-12-14T01:30:00Z");
    }

    @Test
    void aSucceededImportBecomesTheDataSourcesSourceAndTheCronIsUpToDate() {
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        annotate(CronNames.ANN_NEXT_CRON_TIME, "2026-12-07T01:30:00Z");
        dataVolume = succeeded(CronObjects.importVolume(cron, DIGEST_A, MONDAY));
        imports.add(dataVolume);
        now = MONDAY.plusSeconds(60);
        DicPlan plan = decide();
        assertThat(plan.dataSource().getMetadata().getName()).isEqualTo("fedora");
        assertThat(plan.dataSource().getMetadata().getLabels()).containsEntry(CronNames.LABEL_CRON, "fedora-image-cron");
        assertThat(plan.dataSource().getSpec().source.pvc.name).isEqualTo("fedora-aaaaaaaaaaaa");
        assertThat(plan.dataSource().getSpec().source.pvc.namespace).isEqualTo("golden");
        assertThat(plan.status().lastImportedPVC.name).isEqualTo("fedora-aaaaaaaaaaaa");
        assertThat(plan.status().lastImportTimestamp).isEqualTo(now.toString());
        assertThat(plan.status().sourceFormat).isEqualTo("pvc");
        assertThat(condition(plan, "UpToDate").status).isEqualTo("True");
        assertThat(condition(plan, "UpToDate").reason).isEqualTo("UpToDate");
        assertThat(condition(plan, "Progressing").reason).isEqualTo("NoImport");
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ofMinutes(89));

        dataSource = plan.dataSource();
        now = now.plusSeconds(5);
        DicPlan again = decide();
        assertThat(again.dataSource()).as("already pointing there").isNull();
        assertThat(again.status().lastImportTimestamp).as("kept").isEqualTo(MONDAY.plusSeconds(60).toString());
    }

    @Test
    void olderImportsAreCollectedByLastUseKeepingImportsToKeep() {
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_B);
        dataVolume = succeeded(CronObjects.importVolume(cron, DIGEST_B, MONDAY));
        imports.add(dataVolume);
        for (int day = 1; day <= 3; day++) {
            DataVolume old = succeeded(CronObjects.importVolume(cron, "sha256:00000000000" + day + "ffff", MONDAY.minus(Duration.ofDays(day))));
            imports.add(old);
        }
        assertThat(names(decide().delete())).as("importsToKeep 2: the current and the newest other one")
                .containsExactlyInAnyOrder("fedora-000000000002", "fedora-000000000003");

        cron.getSpec().importsToKeep = 3;
        assertThat(names(decide().delete())).containsExactly("fedora-000000000003");
        cron.getSpec().importsToKeep = 1;
        assertThat(names(decide().delete())).hasSize(3).doesNotContain("fedora-bbbbbbbbbbbb");
        cron.getSpec().importsToKeep = 0;
        assertThat(names(decide().delete())).as("0 keeps the current import: the DataSource points at it")
                .hasSize(3).doesNotContain("fedora-bbbbbbbbbbbb");
        cron.getSpec().garbageCollect = "Never";
        assertThat(decide().delete()).isEmpty();
    }

    @Test
    void aFailedImportIsKeptUntilANewerDigestReplacesIt() {
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        DataVolume failedA = failed(CronObjects.importVolume(cron, DIGEST_A, MONDAY));
        dataVolume = failedA;
        imports.add(failedA);
        DicPlan failing = decide();
        assertThat(failing.delete()).isEmpty();
        assertThat(condition(failing, "Progressing").status).isEqualTo("False");
        assertThat(condition(failing, "Progressing").reason).isEqualTo("Failed");
        assertThat(condition(failing, "Progressing").message).contains("fedora-aaaaaaaaaaaa", "layer missing");

        pollerEnded(TerminationMessage.digest(DIGEST_B, "found"));
        dataVolume = null;
        DicPlan replaced = decide();
        assertThat(names(replaced.delete())).contains("fedora-aaaaaaaaaaaa");
        assertThat(created(replaced, DataVolume.class).getMetadata().getName()).isEqualTo("fedora-bbbbbbbbbbbb");
    }

    @Test
    void aDataSourceAnotherCronManagesIsLeftAlone() {
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        dataVolume = succeeded(CronObjects.importVolume(cron, DIGEST_A, MONDAY));
        dataSource = new DataSource();
        dataSource.getMetadata().setName("fedora");
        dataSource.getMetadata().setNamespace("golden");
        dataSource.getMetadata().setLabels(Map.of(CronNames.LABEL_CRON, "someone-elses-cron"));
        DicPlan plan = decide();
        assertThat(plan.dataSource()).isNull();
        assertThat(condition(plan, "UpToDate").reason).isEqualTo("ErrDataSourceAlreadyManaged");
        assertThat(plan.event().reason()).isEqualTo("ErrDataSourceAlreadyManaged");
        assertThat(plan.event().message()).contains("someone-elses-cron");
    }

    @Test
    void aFailedPollSaysWhyAndIsRetriedWithBackOffButNeverAfterTheSchedule() {
        annotate(CronNames.ANN_LAST_CRON_TIME, MONDAY.toString());
        pollerEnded(TerminationMessage.failure("SourceUnavailable", true, "cannot reach the registry: Connection refused"));
        DicPlan first = decide();
        assertThat(condition(first, "Progressing").status).isEqualTo("False");
        assertThat(condition(first, "Progressing").reason).isEqualTo("SourceUnavailable");
        assertThat(condition(first, "Progressing").message).contains("Connection refused", "trying again at 2026-12-07T00:00:10Z");
        assertThat(condition(first, "UpToDate").reason).isEqualTo("NoDigest");
        assertThat(first.annotate()).containsEntry(CronNames.ANN_NEXT_CRON_TIME, "2026-12-07T00:00:10Z");
        assertThat(first.requeueAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(first.event().type()).isEqualTo("Warning");

        DicPlan again = decide();
        assertThat(again.annotate()).as("the same failed poll seen again (its Pod not gone yet) counts once")
                .doesNotContainKey(CronNames.ANN_POLL_FAILURES);
        assertThat(cron.getMetadata().getAnnotations()).containsEntry(CronNames.ANN_POLL_FAILURES, "1");
        assertThat(condition(again, "Progressing").reason).as("and still says why (a later pass said NoImport: a CI flake)")
                .isEqualTo("SourceUnavailable");
        poller = null;
        DicPlan between = decide();
        assertThat(condition(between, "Progressing").reason).as("until the retry, too").isEqualTo("SourceUnavailable");
        assertThat(condition(between, "Progressing").message).contains("Connection refused");
        pollerEnded(TerminationMessage.failure("SourceUnavailable", true, "cannot reach the registry: Connection refused"));

        annotate(CronNames.ANN_LAST_CRON_TIME, MONDAY.plusSeconds(1).toString());
        DicPlan second = decide();
        assertThat(second.annotate()).containsEntry(CronNames.ANN_NEXT_CRON_TIME, "2026-12-07T00:00:20Z")
                .containsEntry(CronNames.ANN_POLL_FAILURES, "2");
        for (int i = 0; i < 8; i++) {
            annotate(CronNames.ANN_LAST_CRON_TIME, MONDAY.plusSeconds(2 + i).toString());
            decide();
        }
        assertThat(cron.getMetadata().getAnnotations()).as("the back-off stops growing at 5 minutes")
                .containsEntry(CronNames.ANN_NEXT_CRON_TIME, "2026-12-07T00:05:00Z");
        cron.getSpec().schedule = "*/2 * * * *";
        annotate(CronNames.ANN_LAST_CRON_TIME, MONDAY.plusSeconds(20).toString());
        decide();
        assertThat(cron.getMetadata().getAnnotations()).as("and never waits past the next scheduled poll")
                .containsEntry(CronNames.ANN_NEXT_CRON_TIME, "2026-12-07T00:02:00Z");

        poller = null;
        now = Instant.parse("2026-12-07T00:00:20Z");
        cron.getMetadata().getAnnotations().put(CronNames.ANN_NEXT_CRON_TIME, now.toString());
        assertThat(created(decide(), Pod.class)).as("the retry").isNotNull();
        pollerEnded(TerminationMessage.digest(DIGEST_A, "found"));
        DicPlan recovered = decide();
        assertThat(recovered.annotate()).containsEntry(CronNames.ANN_POLL_FAILURES, null);
        assertThat(condition(recovered, "Progressing").status).isEqualTo("True");
    }

    @Test
    void aPollThatFailsAfterAnImportShowsWhileTheDataSourceStaysOnTheLastGoodImport() {
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        annotate(CronNames.ANN_LAST_CRON_TIME, MONDAY.toString());
        dataVolume = succeeded(CronObjects.importVolume(cron, DIGEST_A, MONDAY));
        dataSource = CronObjects.dataSource(cron, null, "fedora-aaaaaaaaaaaa", false);
        pollerEnded(TerminationMessage.failure("SourceUnavailable", true, "cannot reach the registry: Connection refused"));
        DicPlan plan = decide();
        assertThat(condition(plan, "Progressing").reason).isEqualTo("SourceUnavailable");
        assertThat(condition(plan, "UpToDate").status).as("still on the newest digest it knows").isEqualTo("True");
        assertThat(plan.dataSource()).isNull();
        assertThat(plan.delete()).extracting(o -> o.getMetadata().getName()).containsExactly("poller-fedora-image-cron-4f1c2a77");
    }

    @Test
    void anEmptyScheduleNeverPollsButTheDigestAnnotationImports() {
        cron.getSpec().schedule = "";
        DicPlan idle = decide();
        assertThat(idle.create()).isEmpty();
        assertThat(idle.requeueAfter()).isNull();
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        assertThat(created(decide(), DataVolume.class).getSpec().source.registry.url).endsWith("@" + DIGEST_A);
    }

    @Test
    void snapshotStorageKeepsTheImportAsASnapshot() {
        format = DataImportCron.FORMAT_SNAPSHOT;
        snapshotClass = "csi-snap";
        annotate(CronNames.ANN_DESIRED_DIGEST, DIGEST_A);
        dataVolume = succeeded(CronObjects.importVolume(cron, DIGEST_A, MONDAY));
        DicPlan snap = decide();
        VolumeSnapshot vs = created(snap, VolumeSnapshot.class);
        assertThat(vs.getMetadata().getName()).isEqualTo("fedora-aaaaaaaaaaaa");
        assertThat(vs.getSpec().source.persistentVolumeClaimName).isEqualTo("fedora-aaaaaaaaaaaa");
        assertThat(vs.getSpec().volumeSnapshotClassName).isEqualTo("csi-snap");
        assertThat(vs.getMetadata().getLabels()).containsEntry(CronNames.LABEL_CRON, "fedora-image-cron");
        assertThat(snap.dataSource()).as("not before the snapshot is ready").isNull();

        snapshot = vs;
        snapshot.setStatus(new VolumeSnapshot.Status());
        snapshot.getStatus().readyToUse = true;
        DicPlan ready = decide();
        assertThat(ready.delete()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .contains("DataVolume/fedora-aaaaaaaaaaaa");
        assertThat(ready.dataSource().getSpec().source.snapshot.name).isEqualTo("fedora-aaaaaaaaaaaa");
        assertThat(ready.dataSource().getSpec().source.pvc).isNull();
        assertThat(ready.status().sourceFormat).isEqualTo("snapshot");
    }

    @Test
    void aClaimSourceIsImportedByCloneWhenTheServiceAccountMayReadIt() {
        cron.getSpec().template.spec.source = new DataVolumeSource();
        cron.getSpec().template.spec.source.pvc = new DataVolumeSource.ObjectRef();
        cron.getSpec().template.spec.source.pvc.namespace = "builds";
        cron.getSpec().template.spec.source.pvc.name = "fedora-nightly";
        claimDigest = "uid:9a8b7c6d-0000-0000-0000-000000000000";
        unauthorized = "User system:serviceaccount:golden:default has insufficient permissions in clone source namespace builds";
        DicPlan refused = decide();
        assertThat(refused.create()).isEmpty();
        assertThat(condition(refused, "Progressing").reason).isEqualTo("NotAuthorized");
        assertThat(condition(refused, "Progressing").message).contains("builds");

        unauthorized = null;
        DataVolume clone = created(decide(), DataVolume.class);
        assertThat(clone.getMetadata().getName()).isEqualTo("fedora-9a8b7c6d0000");
        assertThat(clone.getSpec().source.pvc.name).isEqualTo("fedora-nightly");
    }

    @Test
    void aScheduleThatIsNotCronIsAConditionNotAPoll() {
        cron.getSpec().schedule = "every monday";
        DicPlan plan = decide();
        assertThat(plan.create()).isEmpty();
        assertThat(condition(plan, "Progressing").reason).isEqualTo("InvalidSpec");
        assertThat(condition(plan, "Progressing").message).contains("every monday");
    }

    private void annotate(String key, String value) {
        Map<String, String> annotations = new LinkedHashMap<>(cron.getMetadata().getAnnotations() == null ? Map.of()
                : cron.getMetadata().getAnnotations());
        annotations.put(key, value);
        cron.getMetadata().setAnnotations(annotations);
    }

    private static DataVolume succeeded(DataVolume dv) {
        dv.setStatus(new DataVolumeStatus());
        dv.getStatus().phase = Phases.SUCCEEDED;
        return dv;
    }

    private static DataVolume failed(DataVolume dv) {
        dv.setStatus(new DataVolumeStatus());
        dv.getStatus().phase = Phases.FAILED;
        dv.getStatus().conditions = List.of(dev.ferry.controllers.datavolume.DataVolumeConditions.of(Phases.CONDITION_READY, false,
                "InvalidImage", "layer missing from the registry"));
        return dv;
    }

    private static List<String> names(List<HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).toList();
    }
}
