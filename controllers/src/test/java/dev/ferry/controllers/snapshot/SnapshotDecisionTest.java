package dev.ferry.controllers.snapshot;

import static dev.ferry.controllers.snapshot.SnapshotFixtures.NOW;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.UID;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.content;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.locked;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.observed;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.snapshot;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.vm;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.vmi;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.volumeSnapshot;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.volumeSnapshots;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.volumes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.Conditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's snapshot controller as a pure decision: lock, content, freeze before the first
 * VolumeSnapshot only when the agent answers, thaw once all are cut, phases, conditions and
 * indications, the deadline, the deletion policy.
 */
class SnapshotDecisionTest {
    private static final String CLASS = "local-snapshots";

    @Test
    void aBoundVmIsLockedFirstAndTheIndicationsSayHowItRuns() {
        VirtualMachine vm = vm();
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot(null), vm, vmi(vm, true, false), null, volumes(CLASS, "Bound"),
                Map.of()));
        assertThat(plan.lock()).isEqualTo(SnapshotPlan.Lock.LOCK);
        assertThat(plan.createContent()).as("one step at a time").isNull();
        assertThat(plan.status().phase).isEqualTo("InProgress");
        assertThat(plan.status().virtualMachineSnapshotContentName).isEqualTo("vmsnapshot-content-" + UID);
        assertThat(plan.status().sourceUID).isEqualTo("vm-uid-web");
        assertThat(condition(plan, "Progressing")).isEqualTo("True Source locked and operation in progress");
        assertThat(condition(plan, "Ready")).isEqualTo("False Not ready");
        assertThat(plan.status().indications).containsExactly("Online", "GuestAgent");
        assertThat(plan.status().sourceIndications).extracting(i -> i.indication).containsExactly("Online", "GuestAgent");
        assertThat(plan.volumeSnapshotStatuses()).extracting(s -> s.name + "=" + s.enabled)
                .containsExactly("root=true", "data=true", "cd=false", "cloudinit=false");
        assertThat(plan.requeueAfter()).as("the deadline, 5 minutes after creation").isEqualTo(Duration.ofSeconds(290).plusMillis(100));

        assertThat(SnapshotDecision.decide(observed(snapshot(null), vm(), vmi(vm, false, false), null, volumes(CLASS, "Bound"), Map.of()))
                .status().indications).containsExactly("Online", "NoGuestAgent");
        assertThat(SnapshotDecision.decide(observed(snapshot(null), vm(), vmi(vm, true, true), null, volumes(CLASS, "Bound"), Map.of()))
                .status().indications).as("paused wins over the agent").containsExactly("Online", "Paused");
        assertThat(SnapshotDecision.decide(observed(snapshot(null), vm(), null, null, volumes(CLASS, "Bound"), Map.of()))
                .status().indications).as("offline: none").isNull();
    }

    @Test
    void aVmThatCannotBeLockedWaitsAndSaysWhy() {
        SnapshotPlan pending = SnapshotDecision.decide(observed(snapshot(null), vm(), null, null, volumes(CLASS, "Pending"), Map.of()));
        assertThat(pending.lock()).isEqualTo(SnapshotPlan.Lock.NONE);
        assertThat(condition(pending, "Progressing")).isEqualTo("False Source not locked: claim web-root of volume root is not Bound");
        assertThat(pending.requeueAfter()).isEqualTo(Duration.ofSeconds(5));

        VirtualMachine held = vm();
        held.getStatus().snapshotInProgress = "other";
        assertThat(condition(SnapshotDecision.decide(observed(snapshot(null), held, null, null, volumes(CLASS, "Bound"), Map.of())),
                "Progressing")).isEqualTo("False Source not locked: snapshot other in progress");

        SnapshotPlan gone = SnapshotDecision.decide(observed(snapshot(null), null, null, null, List.of(), Map.of()));
        assertThat(condition(gone, "Progressing")).isEqualTo("False Source does not exist");
        assertThat(gone.status().phase).isEqualTo("InProgress");
    }

    @Test
    void theContentHoldsTheVmAndABackupPerSnapshottableVolume() {
        VirtualMachine vm = locked(vm());
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot(null), vm, null, null, volumes(CLASS, "Bound"), Map.of()));
        VirtualMachineSnapshotContent content = plan.createContent();
        assertThat(content.getMetadata().getName()).isEqualTo("vmsnapshot-content-" + UID);
        assertThat(content.getMetadata().getFinalizers()).containsExactly("snapshot.kubevirt.io/vmsnapshotcontent-protection");
        assertThat(content.getSpec().virtualMachineSnapshotName).isEqualTo("before-upgrade");
        assertThat(content.getSpec().source.virtualMachine.metadata.getLabels()).containsEntry("app", "web");
        assertThat(content.getSpec().source.virtualMachine.spec.template.spec.volumes).hasSize(4);
        assertThat(content.getSpec().volumeBackups).extracting(b -> b.volumeName + ":" + b.volumeSnapshotName + ":"
                + b.persistentVolumeClaim.metadata.getName()).containsExactly(
                "root:vmsnapshot-" + UID + "-volume-root:web-root", "data:vmsnapshot-" + UID + "-volume-data:web-data");
        assertThat(content.getSpec().volumeBackups.get(0).persistentVolumeClaim.spec.getStorageClassName()).isEqualTo("fast");

        SnapshotPlan partial = SnapshotDecision.decide(observed(snapshot(null), locked(vm()), null, null, volumes(null, "Bound"), Map.of()));
        assertThat(partial.createContent().getSpec().volumeBackups).as("no class: left out, no error").isEmpty();
        assertThat(partial.volumeSnapshotStatuses().get(1).reason).contains("No VolumeSnapshotClass");
    }

    @Test
    void theGuestIsFrozenOnceBeforeTheFirstVolumeSnapshotWhenItsAgentAnswers() {
        VirtualMachine vm = locked(vm());
        VirtualMachineSnapshotContent content = content(snapshot(null), vm());
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot(null), vm, vmi(vm, true, false), content, volumes(CLASS, "Bound"),
                Map.of()));
        assertThat(plan.guest()).isEqualTo(SnapshotPlan.Guest.FREEZE);
        assertThat(plan.createVolumeSnapshots()).extracting(vs -> vs.getMetadata().getName() + ":" + vs.getSpec().source.persistentVolumeClaimName
                + ":" + vs.getSpec().volumeSnapshotClassName).containsExactly(
                "vmsnapshot-" + UID + "-volume-root:web-root:" + CLASS, "vmsnapshot-" + UID + "-volume-data:web-data:" + CLASS);
        VolumeSnapshot first = plan.createVolumeSnapshots().get(0);
        assertThat(first.getMetadata().getLabels()).containsEntry("snapshot.kubevirt.io/source-vm-name", "web")
                .containsEntry("snapshot.kubevirt.io/source-vm-namespace", "vms");
        assertThat(first.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("VirtualMachineSnapshotContent");

        var frozen = vmi(vm, true, false);
        frozen.getStatus().fsFreezeStatus = "frozen";
        assertThat(SnapshotDecision.decide(observed(snapshot(null), vm, frozen, content, volumes(CLASS, "Bound"), Map.of())).guest())
                .as("already frozen: not again").isEqualTo(SnapshotPlan.Guest.NONE);
        assertThat(SnapshotDecision.decide(observed(snapshot(null), vm, vmi(vm, false, false), content, volumes(CLASS, "Bound"),
                Map.of())).guest()).as("no agent: crash-consistent, no error").isEqualTo(SnapshotPlan.Guest.NONE);
        SnapshotPlan paused = SnapshotDecision.decide(observed(snapshot(null), vm, vmi(vm, true, true), content, volumes(CLASS, "Bound"),
                Map.of()));
        assertThat(paused.guest()).isEqualTo(SnapshotPlan.Guest.NONE);
        assertThat(paused.createVolumeSnapshots()).hasSize(2);
        assertThat(paused.status().error).isNull();
    }

    @Test
    void aFreezeThatFailsTakesNoVolumeSnapshotAndIsAnErrorRetried() {
        VirtualMachine vm = locked(vm());
        VirtualMachineSnapshotContent content = content(snapshot(null), vm());
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot(null), vm, vmi(vm, true, false), content, volumes(CLASS, "Bound"),
                Map.of()).withFreezeError("Failed freezing vm web: the guest agent does not answer"));
        assertThat(plan.guest()).isEqualTo(SnapshotPlan.Guest.NONE);
        assertThat(plan.createVolumeSnapshots()).isEmpty();
        assertThat(plan.contentStatus().error.message).isEqualTo("Failed freezing vm web: the guest agent does not answer");
        assertThat(plan.status().error.message).contains("Failed freezing vm web");
        assertThat(condition(plan, "Progressing")).isEqualTo("False In error state");
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void allCutThawsUnlocksAndSucceedsThenReadyFollows() {
        VirtualMachine vm = locked(vm());
        VirtualMachineSnapshotContent content = content(snapshot(null), vm());
        var frozen = vmi(vm, true, false);
        frozen.getStatus().fsFreezeStatus = "frozen";
        VirtualMachineSnapshot snapshot = snapshot(null);
        snapshot.setStatus(new VirtualMachineSnapshot.Status());
        snapshot.getStatus().phase = "InProgress";
        snapshot.getStatus().indications = List.of("Online", "GuestAgent");

        SnapshotPlan readyNotCut = SnapshotDecision.decide(observed(snapshot, vm, frozen, content, volumes(CLASS, "Bound"),
                volumeSnapshots(content, false, true)));
        assertThat(readyNotCut.contentStatus().readyToUse).as("a VolumeSnapshot without its creation time is not taken").isFalse();
        assertThat(readyNotCut.status().readyToUse).isFalse();
        assertThat(readyNotCut.lock()).isEqualTo(SnapshotPlan.Lock.NONE);

        SnapshotPlan cutNotReady = SnapshotDecision.decide(observed(snapshot, vm, frozen, content, volumes(CLASS, "Bound"),
                volumeSnapshots(content, true, false)));
        assertThat(cutNotReady.guest()).isEqualTo(SnapshotPlan.Guest.THAW);
        assertThat(cutNotReady.lock()).isEqualTo(SnapshotPlan.Lock.UNLOCK);
        assertThat(cutNotReady.contentStatus().creationTime).isEqualTo(NOW.toString());
        assertThat(cutNotReady.contentStatus().readyToUse).isFalse();
        assertThat(cutNotReady.status().phase).as("Succeeded may come before readyToUse").isEqualTo("Succeeded");
        assertThat(condition(cutNotReady, "Progressing")).isEqualTo("False Operation complete");
        assertThat(condition(cutNotReady, "Ready")).isEqualTo("False Not ready");

        content.setStatus(cutNotReady.contentStatus());
        SnapshotPlan ready = SnapshotDecision.decide(observed(snapshot, vm(), vmi(vm, true, false), content, volumes(CLASS, "Bound"),
                volumeSnapshots(content, true, true)));
        assertThat(ready.status().readyToUse).isTrue();
        assertThat(condition(ready, "Ready")).isEqualTo("True Ready");
        assertThat(ready.guest()).as("unlocked and thawed: nothing more to ask").isEqualTo(SnapshotPlan.Guest.NONE);
        assertThat(ready.status().snapshotVolumes.includedVolumes).containsExactly("root", "data");
        assertThat(ready.status().snapshotVolumes.excludedVolumes).containsExactly("cd", "cloudinit");
        assertThat(ready.status().indications).as("no claim left out: not partial").containsExactly("Online", "GuestAgent");

        VirtualMachine heldByAnother = vm();
        heldByAnother.getStatus().snapshotInProgress = "another";
        snapshot.setStatus(ready.status());
        assertThat(SnapshotDecision.decide(observed(snapshot, heldByAnother, frozen, content, volumes(CLASS, "Bound"),
                volumeSnapshots(content, true, true))).guest()).as("another snapshot's freeze is not this one's to end")
                .isEqualTo(SnapshotPlan.Guest.NONE);
        assertThat(SnapshotDecision.decide(observed(snapshot, vm(), frozen, content, volumes(CLASS, "Bound"),
                volumeSnapshots(content, true, true))).guest()).as("frozen and held by none — a Velero backup's pre hook froze it: "
                + "not this snapshot's to thaw").isEqualTo(SnapshotPlan.Guest.NONE);
    }

    @Test
    void aClaimLeftOutMakesAPartialSnapshot() {
        VirtualMachine vm = locked(vm());
        List<VmVolume> volumes = List.of(volumes(CLASS, "Bound").get(0), volumes(null, "Bound").get(1));
        VirtualMachineSnapshotContent content = SnapshotDecision.decide(observed(snapshot(null), vm, null, null, volumes, Map.of()))
                .createContent();
        content.getMetadata().setUid("c");
        SnapshotPlan done = SnapshotDecision.decide(observed(snapshot(null), vm, null, content, volumes, volumeSnapshots(content, true, true)));
        assertThat(done.status().phase).isEqualTo("Succeeded");
        assertThat(done.status().snapshotVolumes.excludedVolumes).contains("data");
        assertThat(done.status().indications).containsExactly("PartialSnapshot");
    }

    @Test
    void aVolumeSnapshotErrorIsTheContentsAndTheSnapshotsError() {
        VirtualMachine vm = locked(vm());
        VirtualMachineSnapshotContent content = content(snapshot(null), vm());
        Map<String, VolumeSnapshot> snapshots = new LinkedHashMap<>(volumeSnapshots(content, false, false));
        String root = content.getSpec().volumeBackups.get(0).volumeSnapshotName;
        snapshots.put(root, volumeSnapshot(root, null, false, "the driver failed"));
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot(null), vm, null, content, volumes(CLASS, "Bound"), snapshots));
        assertThat(plan.contentStatus().error.message).isEqualTo("VolumeSnapshot " + root + " error: the driver failed");
        assertThat(plan.status().error.message).isEqualTo(plan.contentStatus().error.message);
        assertThat(condition(plan, "Progressing")).isEqualTo("False In error state");
    }

    @Test
    void pastItsDeadlineASnapshotFailsThawsUnlocksAndRemovesWhatItMade() {
        VirtualMachine vm = locked(vm());
        VirtualMachineSnapshotContent content = content(snapshot(null), vm());
        var frozen = vmi(vm, true, false);
        frozen.getStatus().fsFreezeStatus = "frozen";
        Map<String, VolumeSnapshot> half = volumeSnapshots(content, false, false);
        SnapshotPlan plan = SnapshotDecision.decide(observed(snapshot("5s"), vm, frozen, content, volumes(CLASS, "Bound"), half));
        assertThat(plan.status().phase).isEqualTo("Failed");
        assertThat(plan.guest()).isEqualTo(SnapshotPlan.Guest.THAW);
        assertThat(plan.lock()).isEqualTo(SnapshotPlan.Lock.UNLOCK);
        assertThat(plan.releaseContent()).isTrue();
        assertThat(plan.delete()).extracting(HasMetadata::getKind).containsExactly("VirtualMachineSnapshotContent", "VolumeSnapshot",
                "VolumeSnapshot");
        assertThat(condition(plan, "Failure")).isEqualTo("True snapshot deadline exceeded");
        assertThat(condition(plan, "Progressing")).isEqualTo("False Operation failed");
        assertThat(plan.event().reason()).isEqualTo("VirtualMachineSnapshotDeadlineExceeded");

        VirtualMachineSnapshot failed = snapshot(null);
        failed.setStatus(plan.status());
        assertThat(SnapshotDecision.decide(observed(failed, vm(), vmi(vm, true, false), null, volumes(CLASS, "Bound"), Map.of()))
                .status().phase).as("sticky, even with a deadline now far away").isEqualTo("Failed");
        assertThat(SnapshotDecision.decide(observed(snapshot("0s"), vm, frozen, content, volumes(CLASS, "Bound"), half)).status().phase)
                .as("0s: no deadline").isEqualTo("InProgress");
        assertThat(SnapshotDecision.deadline(snapshot(null))).isEqualTo(Duration.ofMinutes(5));
        assertThat(SnapshotDecision.deadline(snapshot("1m30s"))).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void deletionFollowsThePolicyThenLetsGo() {
        VirtualMachineSnapshotContent content = content(snapshot(null), vm());
        content.setStatus(new VirtualMachineSnapshotContent.Status());
        content.getStatus().readyToUse = true;
        VirtualMachineSnapshot deleting = snapshot(null);
        deleting.getMetadata().setDeletionTimestamp(NOW.toString());
        Map<String, VolumeSnapshot> snapshots = volumeSnapshots(content, true, true);

        SnapshotPlan delete = SnapshotDecision.decide(observed(deleting, vm(), null, content, List.of(), snapshots));
        assertThat(delete.delete()).hasSize(3);
        assertThat(delete.releaseContent()).isTrue();
        assertThat(delete.removeFinalizer()).isTrue();

        deleting.getSpec().deletionPolicy = "Retain";
        SnapshotPlan retain = SnapshotDecision.decide(observed(deleting, vm(), null, content, List.of(), snapshots));
        assertThat(retain.delete()).as("Retain keeps a ready content and its VolumeSnapshots").isEmpty();
        assertThat(retain.releaseContent()).isTrue();

        content.getStatus().readyToUse = false;
        assertThat(SnapshotDecision.decide(observed(deleting, vm(), null, content, List.of(), snapshots)).delete())
                .as("a content that is not ready goes whatever the policy").hasSize(3);

        VirtualMachine vm = locked(vm());
        SnapshotPlan inProgress = SnapshotDecision.decide(observed(deleting, vm, vmi(vm, true, false), content, List.of(), snapshots));
        assertThat(inProgress.guest()).isEqualTo(SnapshotPlan.Guest.THAW);
        assertThat(inProgress.lock()).isEqualTo(SnapshotPlan.Lock.UNLOCK);
        assertThat(inProgress.status().phase).isEqualTo("Deleting");
    }

    @Test
    void theSnapshotClassIsChosenAsKubeVirtChoosesIt() {
        var sc = new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder().withNewMetadata().withName("fast").endMetadata()
                .withProvisioner("csi.example").build();
        var one = snapshotClass("one", "csi.example", false);
        var two = snapshotClass("two", "csi.example", false);
        var def = snapshotClass("def", "csi.example", true);
        var profile = new dev.ferry.api.cdi.v1beta1.StorageProfile();
        profile.setStatus(new dev.ferry.api.cdi.v1beta1.StorageProfile.Status());
        profile.getStatus().snapshotClass = "two";
        assertThat(SnapshotClasses.choose("v", "fast", sc, profile, List.of(one, two, def)).name()).as("the profile's").isEqualTo("two");
        assertThat(SnapshotClasses.choose("v", "fast", sc, null, List.of(one)).name()).as("the driver's only one").isEqualTo("one");
        assertThat(SnapshotClasses.choose("v", "fast", sc, null, List.of(one, def)).name()).as("of several, the default").isEqualTo("def");
        assertThat(SnapshotClasses.choose("v", "fast", sc, null, List.of(one, two)).reason()).isEqualTo("2 matching VolumeSnapshotClasses for fast");
        assertThat(SnapshotClasses.choose("v", "fast", sc, null, List.of(snapshotClass("x", "other", true))).reason())
                .isEqualTo("No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [fast] [v]");
        assertThat(SnapshotClasses.choose("v", "gone", null, null, List.of(one)).reason()).contains("does not exist");
    }

    private static dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass snapshotClass(String name, String driver, boolean isDefault) {
        var c = new dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass();
        c.getMetadata().setName(name);
        if (isDefault) {
            c.getMetadata().setAnnotations(Map.of("snapshot.storage.kubernetes.io/is-default-class", "true"));
        }
        c.driver = driver;
        return c;
    }

    private static String condition(SnapshotPlan plan, String type) {
        SnapshotCondition c = Conditions.find(plan.status().conditions, type);
        return c == null ? null : c.status + " " + c.reason;
    }
}
