package dev.ferry.controllers.snapshot;

import static dev.ferry.controllers.snapshot.SnapshotFixtures.NOW;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.UID;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.restore;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.snapshot;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.vm;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.vmi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.runtime.Conditions;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's restore controller as a pure decision: readiness policies, snapshot checks, names by
 * the volume restore policy, claims from VolumeSnapshots, the VM made or rewritten onto them with
 * pre-populated DataVolumes, and the finish.
 */
class RestoreDecisionTest {
    private final VirtualMachineSnapshotContent content = readyContent();
    private final VirtualMachineSnapshot snapshot = readySnapshot();

    @Test
    void aNewRestoreIsInitializedAndOwnedByItsTarget() {
        VirtualMachineRestore restore = restore("web", null);
        restore.setStatus(null);
        RestorePlan plan = decide(restore, vm(), null, Map.of(), Map.of());
        assertThat(condition(plan, "Progressing")).isEqualTo("True Initializing VirtualMachineRestore");
        assertThat(plan.status().complete).isFalse();
        assertThat(plan.owner().getUid()).isEqualTo("vm-uid-web");
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aRunningTargetIsHandledAsTheReadinessPolicySays() {
        VirtualMachine vm = vm();
        VirtualMachineInstance running = vmi(vm, true, false);
        VirtualMachineRestore stop = restore("web", null);
        stop.getSpec().targetReadinessPolicy = "StopTarget";
        RestorePlan stopping = decide(stop, vm, running, Map.of(), Map.of());
        assertThat(stopping.stopTarget()).isTrue();
        assertThat(condition(stopping, "Progressing")).isEqualTo("True Automatically stopping restore target for restore operation");

        VirtualMachineRestore fail = restore("web", null);
        fail.getSpec().targetReadinessPolicy = "FailImmediate";
        assertThat(condition(decide(fail, vm, running, Map.of(), Map.of()), "Failure"))
                .isEqualTo("True Restore target VMI must be powered off before restore operation");

        VirtualMachineRestore eventually = restore("web", null);
        eventually.getSpec().targetReadinessPolicy = "WaitEventually";
        RestorePlan waiting = decide(eventually, vm, running, Map.of(), Map.of());
        assertThat(condition(waiting, "Failure")).isNull();
        assertThat(condition(waiting, "Progressing")).startsWith("False Waiting for target VM to be powered off");

        VirtualMachineRestore grace = restore("web", null);
        assertThat(condition(decide(grace, vm, running, Map.of(), Map.of()), "Progressing"))
                .endsWith("or the operation will fail after 5m0s");
        grace.getMetadata().setCreationTimestamp(NOW.minusSeconds(301).toString());
        assertThat(condition(decide(grace, vm, running, Map.of(), Map.of()), "Failure"))
                .isEqualTo("True Restore target failed to be ready within 5m0s");
    }

    @Test
    void theSnapshotMustBeReadyAndOfTheTarget() {
        VirtualMachineRestore restore = restore("web", null);
        snapshot.getStatus().readyToUse = false;
        RestorePlan notReady = decide(restore, vm(), null, Map.of(), Map.of());
        assertThat(condition(notReady, "Progressing")).isEqualTo("False VirtualMachineSnapshot before-upgrade not ready");
        snapshot.getStatus().phase = "Failed";
        assertThat(condition(decide(restore, vm(), null, Map.of(), Map.of()), "Failure"))
                .isEqualTo("True VirtualMachineSnapshot before-upgrade failed and is invalid to use");

        VirtualMachine other = vm();
        other.getMetadata().setUid("another-uid");
        assertThat(condition(new RestoreDecisionTest().decide(restore, other, null, Map.of(), Map.of()), "Failure"))
                .isEqualTo("True restore source and restore target are different but restore target already exists");
    }

    @Test
    void claimsAreNamedByTheVolumeRestorePolicy() {
        VirtualMachineSnapshotContent.VolumeBackup root = content.getSpec().volumeBackups.get(0);
        assertThat(RestoredObjects.claimName(restore("web", null), root)).isEqualTo("restore-restore-uid-root");
        assertThat(RestoredObjects.claimName(restore("web-copy", "PrefixTargetName"), root)).isEqualTo("web-copy-root");
        assertThat(RestoredObjects.claimName(restore("web", "InPlace"), root)).isEqualTo("web-root");
        VirtualMachineRestore override = restore("web", null);
        VirtualMachineRestore.VolumeRestoreOverride o = new VirtualMachineRestore.VolumeRestoreOverride();
        o.volumeName = "root";
        o.restoreName = "my-root";
        override.getSpec().volumeRestoreOverrides = List.of(o);
        assertThat(RestoredObjects.claimName(override, root)).isEqualTo("my-root");
        assertThat(SnapshotNames.prefixed("a".repeat(60), "root")).hasSize(63).startsWith("a".repeat(50));
    }

    @Test
    void theRestoredClaimsComeFromTheVolumeSnapshots() {
        VirtualMachineRestore restore = restore("web", null);
        RestorePlan plan = decide(restore, vm(), null, Map.of(), Map.of());
        assertThat(plan.mark()).isEqualTo(RestorePlan.Mark.MARK);
        assertThat(plan.createClaims()).extracting(c -> c.getMetadata().getName())
                .containsExactly("restore-restore-uid-root", "restore-restore-uid-data");
        PersistentVolumeClaim root = plan.createClaims().get(0);
        assertThat(root.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(root.getSpec().getDataSource().getName()).isEqualTo("vmsnapshot-" + UID + "-volume-root");
        assertThat(root.getSpec().getDataSourceRef().getName()).isEqualTo("vmsnapshot-" + UID + "-volume-root");
        assertThat(root.getSpec().getResources().getRequests().get("storage")).as("raised to the restore size").isEqualTo(new Quantity("5Gi"));
        assertThat(root.getSpec().getStorageClassName()).isEqualTo("fast");
        assertThat(root.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("restore.kubevirt.io/source-vm-name", "web");
        assertThat(root.getMetadata().getAnnotations()).containsEntry("note", "kept")
                .containsEntry("cdi.kubevirt.io/storage.contentType", "kubevirt")
                .containsEntry("cdi.kubevirt.io/storage.populatedFor", "restore-restore-uid-root")
                .containsEntry("restore.kubevirt.io/lastRestoreUID", "rollback-restore-uid")
                .doesNotContainKeys("pv.kubernetes.io/bind-completed", "cdi.kubevirt.io/storage.import.endpoint");
        PersistentVolumeClaim data = plan.createClaims().get(1);
        assertThat(data.getMetadata().getOwnerReferences()).as("a plain claim is owned by the target").singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("vm-uid-web"));
        assertThat(plan.status().restores).extracting(r -> r.volumeName + ":" + r.persistentVolumeClaim + ":" + r.dataVolumeName)
                .containsExactly("root:restore-restore-uid-root:restore-restore-uid-root", "data:restore-restore-uid-data:null");
    }

    @Test
    void inPlaceTheOriginalClaimIsReplacedItsDataVolumeKeptAsPrePopulated() {
        VirtualMachineRestore restore = restore("web", "InPlace");
        VirtualMachine vm = vm();
        vm.getStatus().restoreInProgress = "rollback";
        PersistentVolumeClaim original = SnapshotFixtures.claim("web-root", "Bound", "fast");
        DataVolume dv = SnapshotFixtures.dataVolume("web-root", "Succeeded");
        RestorePlan plan = decide(restore, vm, null, Map.of("web-root", original), Map.of("web-root", dv));
        assertThat(plan.annotateDataVolumes()).containsEntry("web-root", Map.of("restore.kubevirt.io/name", "rollback",
                "cdi.kubevirt.io/storage.prePopulated", "web-root"));
        assertThat(plan.delete()).containsExactly(original);
        assertThat(plan.createClaims()).extracting(c -> c.getMetadata().getName()).as("the other claim at once").containsExactly("web-data");
    }

    @Test
    void aNewVmIsMadeHaltedOnTheRestoredClaimsWithThePatches() {
        VirtualMachineRestore restore = restore("web-copy", null);
        restore.getSpec().patches = List.of("{\"op\":\"replace\",\"path\":\"/metadata/labels/app\",\"value\":\"copy\"}",
                "{\"op\":\"remove\",\"path\":\"/spec/template/spec/domain/devices/interfaces/0/macAddress\"}");
        Map<String, PersistentVolumeClaim> claims = restoredClaims(restore);
        RestorePlan plan = decide(restore, null, null, claims, Map.of());
        VirtualMachine vm = plan.createVm();
        assertThat(vm.getMetadata().getName()).isEqualTo("web-copy");
        assertThat(vm.getMetadata().getLabels()).containsEntry("app", "copy").containsEntry("team", "blue");
        assertThat(vm.getMetadata().getAnnotations()).containsEntry("restore.kubevirt.io/lastRestoreUID", "rollback-restore-uid");
        assertThat(vm.getSpec().runStrategy).isEqualTo("Halted");
        assertThat(vm.getSpec().template.spec.domain.devices.interfaces.get(0).macAddress).isNull();
        assertThat(vm.getSpec().dataVolumeTemplates).singleElement().satisfies(t -> {
            assertThat(t.metadata.getName()).isEqualTo("restore-restore-uid-root");
            assertThat(t.metadata.getAnnotations()).containsEntry("cdi.kubevirt.io/storage.prePopulated", "restore-restore-uid-root");
        });
        assertThat(vm.getSpec().template.spec.volumes).extracting(v -> v.name + ":" + (v.dataVolume != null ? "dv=" + v.dataVolume.name
                : v.persistentVolumeClaim != null ? "pvc=" + v.persistentVolumeClaim.claimName : "other"))
                .containsExactly("root:dv=restore-restore-uid-root", "data:pvc=restore-restore-uid-data", "cd:other", "cloudinit:other");

        VirtualMachineRestore bad = restore("web-copy", null);
        bad.getSpec().patches = List.of("{\"op\":\"replace\",\"path\":\"/spec/nothing/here\",\"value\":1}");
        assertThat(condition(decide(bad, null, null, restoredClaims(bad), Map.of()), "Failure")).contains("do not apply");
    }

    @Test
    void anExistingVmIsRewrittenKeepingHowItRunsThenTheRestoreFinishes() {
        VirtualMachineRestore restore = restore("web", null);
        VirtualMachine vm = vm();
        vm.getSpec().runStrategy = "Halted";
        vm.getStatus().restoreInProgress = "rollback";
        Map<String, PersistentVolumeClaim> claims = restoredClaims(restore);
        RestorePlan rewrite = decide(restore, vm, null, claims, Map.of());
        assertThat(rewrite.updateVm().getSpec().runStrategy).isEqualTo("Halted");
        assertThat(rewrite.updateVm().getSpec().dataVolumeTemplates.get(0).metadata.getName()).isEqualTo("restore-restore-uid-root");
        assertThat(rewrite.status().deletedDataVolumes).containsExactly("web-root");

        restore.setStatus(rewrite.status());
        VirtualMachine rewritten = rewrite.updateVm();
        RestorePlan waiting = decide(restore, rewritten, null, claims, Map.of());
        assertThat(condition(waiting, "Progressing")).isEqualTo("True Waiting for DataVolume restore-restore-uid-root to adopt its restored claim");

        DataVolume old = SnapshotFixtures.dataVolume("web-root", "Succeeded");
        RestorePlan done = decide(restore, rewritten, null, claims, Map.of("restore-restore-uid-root",
                SnapshotFixtures.dataVolume("restore-restore-uid-root", "Succeeded"), "web-root", old));
        assertThat(done.status().complete).isTrue();
        assertThat(done.status().restoreTime).isEqualTo(NOW.toString());
        assertThat(condition(done, "Ready")).isEqualTo("True Operation complete");
        assertThat(done.mark()).isEqualTo(RestorePlan.Mark.UNMARK);
        assertThat(done.delete()).containsExactly(old);
        assertThat(done.event().reason()).isEqualTo("VirtualMachineRestoreComplete");
    }

    @Test
    void aTargetHeldByAnotherRestoreWaits() {
        VirtualMachine vm = vm();
        vm.getStatus().restoreInProgress = "another";
        RestorePlan plan = decide(restore("web", null), vm, null, Map.of(), Map.of());
        assertThat(plan.mark()).isEqualTo(RestorePlan.Mark.NONE);
        assertThat(plan.createClaims()).isEmpty();
        assertThat(condition(plan, "Progressing")).isEqualTo("False VirtualMachineRestore another in progress on VM web");
    }

    /** The restored claims as the API server has them once populated: bound, marked by the restore. */
    private Map<String, PersistentVolumeClaim> restoredClaims(VirtualMachineRestore restore) {
        Map<String, PersistentVolumeClaim> claims = new HashMap<>();
        for (PersistentVolumeClaim claim : RestoreDecision.decide(observe(restore, vm(), null, Map.of(), Map.of())).createClaims()) {
            claim.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
            claims.put(claim.getMetadata().getName(), claim);
        }
        return claims;
    }

    private RestorePlan decide(VirtualMachineRestore restore, VirtualMachine target, VirtualMachineInstance vmi,
            Map<String, PersistentVolumeClaim> claims, Map<String, DataVolume> dataVolumes) {
        return RestoreDecision.decide(observe(restore, target, vmi, claims, dataVolumes));
    }

    private RestoreObserved observe(VirtualMachineRestore restore, VirtualMachine target, VirtualMachineInstance vmi,
            Map<String, PersistentVolumeClaim> claims, Map<String, DataVolume> dataVolumes) {
        return new RestoreObserved(restore, target, vmi, snapshot, content, SnapshotFixtures.volumeSnapshots(content, true, true), claims,
                dataVolumes, Map.of("fast", "Immediate"), NOW);
    }

    private static VirtualMachineSnapshotContent readyContent() {
        VirtualMachineSnapshotContent content = SnapshotFixtures.content(snapshot(null), vm());
        content.setStatus(new VirtualMachineSnapshotContent.Status());
        content.getStatus().readyToUse = true;
        content.getStatus().creationTime = NOW.minusSeconds(60).toString();
        return content;
    }

    private static VirtualMachineSnapshot readySnapshot() {
        VirtualMachineSnapshot snapshot = snapshot(null);
        snapshot.setStatus(new VirtualMachineSnapshot.Status());
        snapshot.getStatus().phase = "Succeeded";
        snapshot.getStatus().readyToUse = true;
        snapshot.getStatus().sourceUID = "vm-uid-web";
        return snapshot;
    }

    private static String condition(RestorePlan plan, String type) {
        SnapshotCondition c = Conditions.find(plan.status().conditions, type);
        return c == null ? null : c.status + " " + c.reason;
    }
}
