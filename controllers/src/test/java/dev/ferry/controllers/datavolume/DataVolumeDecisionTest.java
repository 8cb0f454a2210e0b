package dev.ferry.controllers.datavolume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.testing.Cluster;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions as pure functions: no API server, just observations in and plans out. */
class DataVolumeDecisionTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final WorkerSettings SETTINGS = dev.ferry.controllers.testing.Settings.workers().withUploadTlsSecret(null);

    @Test
    void firstTheClaimThenTheWorker() throws Exception {
        DataVolume dv = dv("http-storage");
        Plan first = DataVolumeDecision.decide(observe(dv, null, null, null), SETTINGS);
        assertThat(first.createPvc()).isNotNull();
        assertThat(first.createWorker()).isEmpty();
        assertThat(first.status().phase).isEqualTo(Phases.PENDING);

        Plan second = DataVolumeDecision.decide(observe(dv, first.createPvc(), null, null), SETTINGS);
        assertThat(second.createPvc()).isNull();
        assertThat(second.createWorker()).singleElement().satisfies(pod -> assertThat(pod.getMetadata().getName())
                .isEqualTo("importer-fedora"));
        assertThat(second.status().phase).isEqualTo(Phases.IMPORT_SCHEDULED);
        assertThat(second.event().reason()).isEqualTo("ImportScheduled");
    }

    @Test
    void aClaimWhoseStorageClassDoesNotExistSaysSoInBound() throws Exception {
        DataVolume dv = dv("http-storage");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Plan plan = DataVolumeDecision.decide(new Observed(dv, dv.getSpec().source, null, pvc, null, "local", null, false, null,
                StorageDefaults.cdiDefaults(), NOW, "storageclass.storage.k8s.io \"local\" not found"), SETTINGS);
        assertThat(DataVolumeConditions.find(plan.status(), Phases.CONDITION_BOUND).message)
                .isEqualTo("PVC fedora Pending: storageclass.storage.k8s.io \"local\" not found");
    }

    @Test
    void theClaimSaysWhatItHoldsSoAVeleroRestoreWithoutAPluginNeitherReimportsNorKeepsHalfADisk() throws Exception {
        DataVolume dv = dv("http-storage");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Plan importing = DataVolumeDecision.decide(observe(dv, pvc, null, null), SETTINGS);
        assertThat(importing.createWorker().get(0).getMetadata().getLabels()).as("a worker is left out of backups")
                .containsEntry("velero.io/exclude-from-backup", "true");
        ClaimMarks.Change marking = ClaimMarks.change(dv, pvc, importing.status().phase);
        assertThat(marking.set()).containsExactly(Map.entry("kvp.kubevirt.io/storage.inprogress", "fedora"));
        assertThat(marking.owner()).as("already owned").isNull();
        pvc.getMetadata().setAnnotations(new java.util.HashMap<>(marking.set()));
        assertThat(ClaimMarks.change(dv, pvc, Phases.IMPORT_IN_PROGRESS)).as("marked: nothing to change").isNull();
        ClaimMarks.Change filled = ClaimMarks.change(dv, pvc, Phases.SUCCEEDED);
        assertThat(filled.set()).containsExactly(Map.entry("cdi.kubevirt.io/storage.populatedFor", "fedora"));
        assertThat(filled.remove()).containsExactly("kvp.kubevirt.io/storage.inprogress");

        // restored by Velero: a new uid, no owner reference, no status; the claim came back first
        DataVolume restored = dv("http-storage");
        restored.getMetadata().setUid("uid-2");
        PersistentVolumeClaim populated = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        populated.getMetadata().setOwnerReferences(null);
        populated.getMetadata().setAnnotations(Map.of("cdi.kubevirt.io/storage.populatedFor", "fedora"));
        Plan adopted = DataVolumeDecision.decide(observe(restored, populated, null, null), SETTINGS);
        assertThat(adopted.createWorker()).as("nothing imported again").isEmpty();
        assertThat(adopted.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(DataVolumeConditions.find(adopted.status(), "Ready").reason).isEqualTo("PrePopulated");
        assertThat(ClaimMarks.change(restored, populated, adopted.status().phase).owner().getUid()).isEqualTo("uid-2");

        PersistentVolumeClaim partial = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        partial.getMetadata().setOwnerReferences(null);
        partial.getMetadata().setAnnotations(Map.of("kvp.kubevirt.io/storage.inprogress", "fedora"));
        Plan again = DataVolumeDecision.decide(observe(restored, partial, null, null), SETTINGS);
        assertThat(again.createWorker()).as("a partial disk is filled again").singleElement()
                .satisfies(pod -> assertThat(pod.getMetadata().getName()).isEqualTo("importer-fedora"));
        assertThat(ClaimMarks.change(restored, partial, again.status().phase).owner().getUid()).isEqualTo("uid-2");

        PersistentVolumeClaim foreign = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        foreign.getMetadata().setOwnerReferences(null);
        foreign.getMetadata().setAnnotations(Map.of("cdi.kubevirt.io/storage.populatedFor", "another"));
        assertThat(DataVolumeDecision.decide(observe(restored, foreign, null, null), SETTINGS).status().conditions)
                .anySatisfy(c -> assertThat(c.reason).isEqualTo("ErrResourceExists"));
        assertThat(ClaimMarks.change(restored, foreign, null)).as("someone else's claim is left alone").isNull();
    }

    @Test
    void sameObservationSamePlan() throws Exception {
        DataVolume dv = dv("http-storage");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Plan a = DataVolumeDecision.decide(observe(dv, pvc, null, null), SETTINGS);
        Plan b = DataVolumeDecision.decide(observe(dv, pvc, null, null), SETTINGS);
        assertThat(DataVolumeConditions.same(a.status(), b.status())).isTrue();
        assertThat(a.createWorker()).isEqualTo(b.createWorker());
    }

    @Test
    void backoffDoublesFromTenSecondsToFiveMinutes() {
        assertThat(DataVolumeDecision.backoff(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(DataVolumeDecision.backoff(1)).isEqualTo(Duration.ofSeconds(20));
        assertThat(DataVolumeDecision.backoff(4)).isEqualTo(Duration.ofSeconds(160));
        assertThat(DataVolumeDecision.backoff(5)).isEqualTo(Duration.ofMinutes(5));
        assertThat(DataVolumeDecision.backoff(60)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aTerminalFailureIsFinal() throws Exception {
        DataVolume dv = dv("http-storage");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Pod failed = failed(ImporterPodBuilder.build(dv, pvc, SETTINGS),
                "{\"outcome\":\"Failed\",\"reason\":\"ChecksumMismatch\",\"message\":\"sha256 differs\",\"retryable\":false}");
        Plan plan = DataVolumeDecision.decide(observe(dv, pvc, failed, null), SETTINGS);
        assertThat(plan.status().phase).isEqualTo(Phases.FAILED);
        assertThat(DataVolumeConditions.find(plan.status(), "Ready").reason).isEqualTo("ChecksumMismatch");
        assertThat(plan.deleteWorker()).as("the failed Pod stays for its logs").isFalse();

        dv.setStatus(plan.status());
        Plan after = DataVolumeDecision.decide(observe(dv, pvc, failed, null), SETTINGS);
        assertThat(after.createWorker()).isEmpty();
        assertThat(after.status().phase).isEqualTo(Phases.FAILED);
    }

    @Test
    void progressIsAPercentageString() throws Exception {
        DataVolume dv = dv("http-storage");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Pod pod = ImporterPodBuilder.build(dv, pvc, SETTINGS);
        pod.setStatus(new PodStatusBuilder().withPhase("Running").build());
        Plan plan = DataVolumeDecision.decide(observe(dv, pvc, pod, 12.3456), SETTINGS);
        assertThat(plan.status().progress).isEqualTo("12.35%");
        assertThat(plan.requeueAfter()).as("progress is polled").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anUploadVolumeGetsAServerAndAService() throws Exception {
        DataVolume dv = dv("upload");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Plan plan = DataVolumeDecision.decide(observe(dv, pvc, null, null), SETTINGS);
        assertThat(plan.createWorker()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("Pod/cdi-upload-upload-datavolume", "Service/cdi-upload-upload-datavolume");
        assertThat(plan.status().phase).isEqualTo(Phases.UPLOAD_SCHEDULED);
    }

    @Test
    void aCompletedWorkerGoesUnlessTheDataVolumeAsksToRetainIt() throws Exception {
        DataVolume dv = dv("http-storage");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Pod done = succeeded(ImporterPodBuilder.build(dv, pvc, SETTINGS));
        Plan plan = DataVolumeDecision.decide(observe(dv, pvc, done, null), SETTINGS);
        assertThat(plan.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(plan.deleteWorker()).isTrue();

        dv.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(
                dev.ferry.api.cdi.v1beta1.Annotations.RETAIN_AFTER_COMPLETION, "true")));
        Plan retained = DataVolumeDecision.decide(observe(dv, pvc, done, null), SETTINGS);
        assertThat(retained.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(retained.deleteWorker()).as("kept for kubectl logs").isFalse();
        dv.setStatus(retained.status());
        assertThat(DataVolumeDecision.decide(observe(dv, pvc, done, null), SETTINGS).deleteWorker()).isFalse();
    }

    private static Pod succeeded(Pod pod) {
        pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").withContainerStatuses(new ContainerStatusBuilder()
                .withNewState().withNewTerminated().withExitCode(0).withMessage("{\"outcome\":\"Succeeded\",\"bytesWritten\":1}")
                .withFinishedAt(NOW.toString()).endTerminated().endState().build()).build());
        return pod;
    }

    private static Observed observe(DataVolume dv, PersistentVolumeClaim pvc, Pod worker, Double progress) {
        return new Observed(dv, dv.getSpec().source, null, pvc, worker, "local-path", "Immediate", false, progress,
                StorageDefaults.cdiDefaults(), NOW, null);
    }

    private static DataVolume dv(String example) throws Exception {
        DataVolume dv = Cluster.example(example, "vms");
        dv.getMetadata().setUid("uid-1");
        dv.setStatus(new DataVolumeStatus());
        return dv;
    }

    private static Pod failed(Pod pod, String message) {
        pod.setStatus(new PodStatusBuilder().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder()
                .withNewState().withNewTerminated().withExitCode(1).withMessage(message).withFinishedAt(NOW.toString())
                .endTerminated().endState().build()).build());
        return pod;
    }
}
