package dev.ferry.controllers.clone;

import static dev.ferry.controllers.clone.CloneFixtures.GI;
import static dev.ferry.controllers.clone.CloneFixtures.bound;
import static dev.ferry.controllers.clone.CloneFixtures.claimSource;
import static dev.ferry.controllers.clone.CloneFixtures.pending;
import static dev.ferry.controllers.clone.CloneFixtures.profile;
import static dev.ferry.controllers.clone.CloneFixtures.snapshotSource;
import static dev.ferry.controllers.clone.CloneFixtures.storageClass;
import static dev.ferry.controllers.clone.CloneFixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.testing.Settings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cloning DataVolume's decision, step by step, for each strategy and each way a clone waits or fails. */
class CloneDecisionTest {
    private static final WorkerSettings SETTINGS = Settings.workers();

    private static ClonePlan decide(CloneFixtures f) {
        ClonePlan plan = CloneDecision.decide(f.observed(), SETTINGS);
        f.wrote(plan);
        return plan;
    }

    private static String reason(ClonePlan plan) {
        return DataVolumeConditions.find(plan.status(), Phases.CONDITION_READY).reason;
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T created(ClonePlan plan, Class<T> kind) {
        return (T) plan.create().stream().filter(kind::isInstance).findFirst().orElseThrow();
    }

    private static List<String> names(List<HasMetadata> objects) {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()).toList();
    }

    @Test
    void aCsiCloneInOneNamespaceIsAClaimFromTheSource() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.dv.getSpec().source.pvc.namespace = "vms";
        f.source = claimSource("vms", "fedora-39", "Filesystem", 10 * GI, List.of());
        f.targetProfile = profile("csi-clone", null);

        ClonePlan first = decide(f);
        assertThat(first.annotate()).containsEntry(CloneNames.ANN_CLONE_TYPE, "csi-clone").doesNotContainKey(CloneNames.ANN_FALLBACK_REASON);
        PersistentVolumeClaim target = created(first, PersistentVolumeClaim.class);
        assertThat(target.getMetadata().getName()).isEqualTo("cloned-datavolume");
        assertThat(target.getSpec().getDataSourceRef().getKind()).isEqualTo("PersistentVolumeClaim");
        assertThat(target.getSpec().getDataSourceRef().getName()).isEqualTo("fedora-39");
        assertThat(target.getSpec().getStorageClassName()).isEqualTo("fast");
        assertThat(first.status().phase).isEqualTo(Phases.CSI_CLONE_IN_PROGRESS);

        f.target = pending(target, "target-uid");
        ClonePlan waiting = decide(f);
        assertThat(waiting.create()).isEmpty();
        assertThat(waiting.status().phase).isEqualTo(Phases.CSI_CLONE_IN_PROGRESS);

        f.target = bound(target, "pvc-target", "target-uid");
        ClonePlan done = decide(f);
        assertThat(done.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(done.status().progress).isEqualTo("100.0%");
        assertThat(done.event().reason()).isEqualTo("CloneSucceeded");
        assertThat(reason(done)).isEqualTo("CloneSucceeded");
    }

    @Test
    void aCsiCloneAcrossNamespacesFillsATemporaryClaimAndRebindsItsVolume() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.targetProfile = profile("csi-clone", null);

        ClonePlan first = decide(f);
        PersistentVolumeClaim tmp = created(first, PersistentVolumeClaim.class);
        assertThat(tmp.getMetadata().getNamespace()).isEqualTo("golden-images");
        assertThat(tmp.getMetadata().getName()).isEqualTo("tmp-pvc-dv-uid");
        assertThat(tmp.getMetadata().getLabels()).containsEntry(CloneNames.LABEL_OWNED_BY, "dv-uid")
                .containsEntry(CloneNames.LABEL_DATAVOLUME_NAMESPACE, "vms").containsEntry(dev.ferry.controllers.datavolume.ClaimMarks.LABEL_EXCLUDE_FROM_BACKUP, "true");
        assertThat(tmp.getSpec().getDataSourceRef().getName()).isEqualTo("fedora-39");

        f.tmpClaim = bound(tmp, "pvc-tmp", "tmp-uid");
        f.tmpVolume = volume("pvc-tmp", "golden-images", "tmp-pvc-dv-uid", "tmp-uid");
        ClonePlan claim = decide(f);
        PersistentVolumeClaim target = created(claim, PersistentVolumeClaim.class);
        assertThat(target.getMetadata().getNamespace()).isEqualTo("vms");
        assertThat(target.getSpec().getVolumeName()).as("the target claims the filled volume").isEqualTo("pvc-tmp");
        assertThat(target.getSpec().getDataSourceRef()).isNull();
        assertThat(claim.status().phase).isEqualTo(Phases.REBIND_IN_PROGRESS);

        f.target = pending(target, "target-uid");
        ClonePlan rebind = decide(f);
        assertThat(rebind.rebind()).isEqualTo(new ClonePlan.Rebind("pvc-tmp", "vms", "cloned-datavolume", "target-uid"));
        assertThat(rebind.status().phase).isEqualTo(Phases.REBIND_IN_PROGRESS);

        f.tmpVolume = volume("pvc-tmp", "vms", "cloned-datavolume", "target-uid");
        assertThat(decide(f).rebind()).as("moved once").isNull();

        f.target = bound(target, "pvc-tmp", "target-uid");
        ClonePlan done = decide(f);
        assertThat(done.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(names(done.delete())).containsExactly("PersistentVolumeClaim/golden-images/tmp-pvc-dv-uid");
    }

    @Test
    void aSnapshotCloneSnapshotsTheSourceThenRestoresIt() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");

        ClonePlan first = decide(f);
        assertThat(first.annotate()).containsEntry(CloneNames.ANN_CLONE_TYPE, "snapshot");
        VolumeSnapshot snapshot = created(first, VolumeSnapshot.class);
        assertThat(snapshot.getMetadata().getNamespace()).isEqualTo("golden-images");
        assertThat(snapshot.getSpec().source.persistentVolumeClaimName).isEqualTo("fedora-39");
        assertThat(snapshot.getSpec().volumeSnapshotClassName).isEqualTo("csi-snap");
        assertThat(first.status().phase).isEqualTo(Phases.SNAPSHOT_FOR_SMART_CLONE_IN_PROGRESS);
        assertThat(first.requeueAfter()).as("snapshots are polled").isEqualTo(Duration.ofSeconds(1));

        f.tmpSnapshot = snapshot;
        assertThat(decide(f).create()).as("not ready yet: wait").isEmpty();

        snapshot.setStatus(new VolumeSnapshot.Status());
        snapshot.getStatus().readyToUse = true;
        ClonePlan restore = decide(f);
        PersistentVolumeClaim tmp = created(restore, PersistentVolumeClaim.class);
        assertThat(tmp.getSpec().getDataSourceRef().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(tmp.getSpec().getDataSourceRef().getApiGroup()).isEqualTo("snapshot.storage.k8s.io");
        assertThat(tmp.getSpec().getDataSourceRef().getName()).isEqualTo("tmp-snapshot-dv-uid");
        assertThat(restore.status().phase).isEqualTo(Phases.CLONE_FROM_SNAPSHOT_SOURCE_IN_PROGRESS);

        f.tmpClaim = bound(tmp, "pvc-tmp", "tmp-uid");
        f.tmpVolume = volume("pvc-tmp", "golden-images", "tmp-pvc-dv-uid", "tmp-uid");
        f.target = bound(created(decide(f), PersistentVolumeClaim.class), "pvc-tmp", "target-uid");
        ClonePlan done = decide(f);
        assertThat(done.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(names(done.delete())).containsExactlyInAnyOrder("PersistentVolumeClaim/golden-images/tmp-pvc-dv-uid",
                "VolumeSnapshot/golden-images/tmp-snapshot-dv-uid");
    }

    @Test
    void aSnapshotSourceInTheSameNamespaceIsRestoredIntoTheTarget() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("snapshot-clone");
        f.source = snapshotSource("vms", "fedora-snapshot", "csi.example", 10 * GI, true);
        f.dv.getSpec().source.snapshot.namespace = "vms";
        ClonePlan first = decide(f);
        PersistentVolumeClaim target = created(first, PersistentVolumeClaim.class);
        assertThat(target.getSpec().getDataSourceRef().getName()).isEqualTo("fedora-snapshot");
        assertThat(target.getSpec().getResources().getRequests().get("storage").toString())
                .as("no size given: the snapshot's restore size, as people write it").isEqualTo("10Gi");
        assertThat(first.status().phase).isEqualTo(Phases.CLONE_FROM_SNAPSHOT_SOURCE_IN_PROGRESS);
    }

    @Test
    void aHostAssistedCloneStreamsFromASourcePodToAnUploadServerAndSaysWhyItFellBack() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.targetClass = storageClass("slow", "csi.other", true);
        f.snapshotClasses.add(CloneFixtures.snapshotClass("other-snap", "csi.other", true));

        ClonePlan first = decide(f);
        assertThat(first.annotate()).containsEntry(CloneNames.ANN_CLONE_TYPE, "copy")
                .hasEntrySatisfying(CloneNames.ANN_FALLBACK_REASON, m -> assertThat(m).contains("csi.example", "csi.other"));
        assertThat(first.event().type()).isEqualTo("Warning");
        assertThat(first.event().reason()).isEqualTo("IncompatibleProvisioners");
        PersistentVolumeClaim target = created(first, PersistentVolumeClaim.class);
        assertThat(target.getSpec().getDataSourceRef()).as("an empty claim: the data comes over the wire").isNull();
        assertThat(first.status().phase).isEqualTo(Phases.CLONE_SCHEDULED);

        f.target = bound(target, "pvc-target", "target-uid");
        ClonePlan servers = decide(f);
        assertThat(names(servers.create())).containsExactly("Pod/vms/cdi-upload-cloned-datavolume",
                "Service/vms/cdi-upload-cloned-datavolume");
        assertThat(servers.tls()).isEqualTo(new ClonePlan.Tls("vms", "cdi-upload-cloned-datavolume-clone",
                List.of("cdi-upload-cloned-datavolume", "cdi-upload-cloned-datavolume.vms", "cdi-upload-cloned-datavolume.vms.svc",
                        "cdi-upload-cloned-datavolume.vms.svc.cluster.local", "localhost", "127.0.0.1"),
                "golden-images", "dv-uid-source-pod", "golden-images/fedora-39-vms/cloned-datavolume"));
        Pod upload = created(servers, Pod.class);
        assertThat(env(upload)).contains("FERRY_CLONE_CLIENT_NAME=golden-images/fedora-39-vms/cloned-datavolume");

        f.uploadPod = CloneFixtures.running(upload, false);
        f.uploadService = created(servers, Service.class);
        assertThat(decide(f).create()).as("the source waits for a ready server").isEmpty();

        f.uploadPod = CloneFixtures.running(upload, true);
        ClonePlan source = decide(f);
        Pod sourcePod = created(source, Pod.class);
        assertThat(sourcePod.getMetadata().getNamespace()).isEqualTo("golden-images");
        assertThat(sourcePod.getMetadata().getName()).isEqualTo("dv-uid-source-pod");
        assertThat(sourcePod.getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("fedora-39");
            assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
        });
        assertThat(env(sourcePod)).contains("FERRY_CLONE_UPLOAD_URL=https://cdi-upload-cloned-datavolume.vms.svc:443");
        assertThat(source.status().phase).isEqualTo(Phases.CLONE_IN_PROGRESS);

        f.sourcePod = CloneFixtures.running(sourcePod, true);
        f.progress = 42.456;
        ClonePlan running = decide(f);
        assertThat(running.status().progress).isEqualTo("42.46%");
        assertThat(running.requeueAfter()).isEqualTo(Duration.ofSeconds(5));

        f.uploadPod = CloneFixtures.phase(upload, "Succeeded", "{\"outcome\":\"Succeeded\"}");
        ClonePlan done = decide(f);
        assertThat(done.status().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(names(done.delete())).containsExactlyInAnyOrder("Pod/golden-images/dv-uid-source-pod",
                "Pod/vms/cdi-upload-cloned-datavolume", "Service/vms/cdi-upload-cloned-datavolume");
    }

    @Test
    void aSourceInUseReadWriteWaitsAndReadOnlyUsersDoNot() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.source = claimSource("golden-images", "fedora-39", "Filesystem", 10 * GI, List.of("virt-launcher-fedora-abcde"));
        ClonePlan waiting = decide(f);
        assertThat(waiting.create()).isEmpty();
        assertThat(waiting.status().phase).isEqualTo(Phases.CLONE_SCHEDULED);
        assertThat(reason(waiting)).isEqualTo("CloneSourceInUse");
        assertThat(waiting.event().message()).contains("virt-launcher-fedora-abcde", "fedora-39");
        assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(3));

        f.source = claimSource("golden-images", "fedora-39", "Filesystem", 10 * GI, List.of());
        assertThat(created(decide(f), VolumeSnapshot.class)).isNotNull();
    }

    @Test
    void aMissingSourceWaitsAndAnUnpopulatedOneIsScheduled() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        SourceVolume present = f.source;
        f.source = new SourceVolume("golden-images", "fedora-39", false, null, null, null, null, false, List.of());
        ClonePlan missing = decide(f);
        assertThat(missing.status().phase).isEqualTo(Phases.PENDING);
        assertThat(reason(missing)).isEqualTo("CloneWithoutSource");
        assertThat(missing.requeueAfter()).isEqualTo(Duration.ofSeconds(5));

        f.source = new SourceVolume("golden-images", "fedora-39", false, present.pvc(), present.storageClass(), null, null, false, List.of());
        ClonePlan importing = decide(f);
        assertThat(importing.status().phase).isEqualTo(Phases.CLONE_SCHEDULED);
        assertThat(importing.create()).isEmpty();

        f.source = present;
        assertThat(decide(f).create()).isNotEmpty();
    }

    @Test
    void aTargetSmallerThanTheSourceOrOfAnotherContentTypeFails() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.source = claimSource("golden-images", "fedora-39", "Filesystem", 20 * GI, List.of());
        ClonePlan small = decide(f);
        assertThat(small.status().phase).isEqualTo(Phases.FAILED);
        assertThat(reason(small)).isEqualTo("CloneValidationFailed");
        assertThat(small.event().message()).as("with the filesystem overhead the target asks for 10Gi × 1.055")
                .contains("requests 11362369536 bytes", "holds " + 20 * GI);

        CloneFixtures archive = CloneFixtures.pvcClone("pvc-clone");
        archive.dv.getSpec().contentType = "archive";
        ClonePlan mismatch = decide(archive);
        assertThat(reason(mismatch)).isEqualTo("CloneValidationFailed");
        assertThat(mismatch.event().message()).contains("kubevirt", "archive");
    }

    @Test
    void aLargerTargetIsAllowed() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.source = claimSource("golden-images", "fedora-39", "Filesystem", 4 * GI, List.of());
        assertThat(decide(f).status().phase).isNotEqualTo(Phases.FAILED);
    }

    @Test
    void anUnauthorizedCloneFailsWithTheReason() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.unauthorized = "no clone token";
        ClonePlan plan = decide(f);
        assertThat(plan.status().phase).isEqualTo(Phases.FAILED);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.event().message()).isEqualTo("no clone token");
    }

    @Test
    void aWorkerThatFailsForGoodFailsTheCloneAndOneThatMayRecoverIsMadeAgain() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.targetProfile = profile("copy", null);
        f.target = bound(created(decide(f), PersistentVolumeClaim.class), "pvc-target", "target-uid");
        ClonePlan servers = decide(f);
        f.uploadPod = CloneFixtures.running(created(servers, Pod.class), true);
        f.uploadService = created(servers, Service.class);
        Pod sourcePod = created(decide(f), Pod.class);

        f.sourcePod = CloneFixtures.phase(sourcePod, "Failed",
                "{\"outcome\":\"Failed\",\"reason\":\"ConnectionReset\",\"message\":\"reset by peer\",\"retryable\":true}");
        ClonePlan retry = decide(f);
        assertThat(names(retry.delete())).containsExactly("Pod/golden-images/dv-uid-source-pod");
        assertThat(retry.status().phase).isEqualTo(Phases.CLONE_IN_PROGRESS);
        assertThat(retry.requeueAfter()).isEqualTo(Duration.ofSeconds(10));

        f.sourcePod = CloneFixtures.phase(sourcePod, "Failed",
                "{\"outcome\":\"Failed\",\"reason\":\"CloneRefused\",\"message\":\"401 client not allowed\",\"retryable\":false}");
        ClonePlan failed = decide(f);
        assertThat(failed.status().phase).isEqualTo(Phases.FAILED);
        assertThat(reason(failed)).isEqualTo("CloneRefused");
    }

    @Test
    void aFinishedCloneOnlyCleansUp() throws Exception {
        CloneFixtures f = CloneFixtures.pvcClone("pvc-clone");
        f.dv.getStatus().phase = Phases.SUCCEEDED;
        f.tmpClaim = pending(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("tmp-pvc-dv-uid").withNamespace("golden-images").endMetadata().withNewSpec().endSpec().build(), "tmp-uid");
        ClonePlan plan = decide(f);
        assertThat(plan.create()).isEmpty();
        assertThat(names(plan.delete())).containsExactly("PersistentVolumeClaim/golden-images/tmp-pvc-dv-uid");
        assertThat(plan.status().phase).isEqualTo(Phases.SUCCEEDED);
    }

    private static List<String> env(Pod pod) {
        return pod.getSpec().getContainers().get(0).getEnv().stream().map((EnvVar e) -> e.getName() + "=" + e.getValue()).toList();
    }
}
