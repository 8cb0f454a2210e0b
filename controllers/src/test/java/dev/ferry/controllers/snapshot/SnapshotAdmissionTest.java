package dev.ferry.controllers.snapshot;

import static dev.ferry.controllers.snapshot.SnapshotFixtures.restore;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.snapshot;
import static dev.ferry.controllers.snapshot.SnapshotFixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.controllers.runtime.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KubeVirt's admission rules for what snapshots and restores protect, with KubeVirt's messages. */
class SnapshotAdmissionTest {
    @Test
    void aVmHeldByASnapshotKeepsItsVolumesAndRunState() {
        VirtualMachine old = vm();
        old.getStatus().snapshotInProgress = "before-upgrade";
        VirtualMachine halted = vm();
        halted.getSpec().runStrategy = "Halted";
        assertThat(SnapshotAdmission.vmUpdate(old, halted)).isEqualTo("Cannot update vm running state until snapshot \"before-upgrade\" completes");
        VirtualMachine started = vm();
        started.getStatus().stateChangeRequests = List.of(new VmStatus.StateChangeRequest("Start", null));
        assertThat(SnapshotAdmission.vmUpdate(old, started)).as("a start queued in the status").contains("running state");
        VirtualMachine fewer = vm();
        fewer.getSpec().template.spec.volumes = new ArrayList<>(fewer.getSpec().template.spec.volumes.subList(0, 1));
        assertThat(SnapshotAdmission.vmUpdate(old, fewer)).isEqualTo("Cannot update vm disks or volumes until snapshot \"before-upgrade\" completes");
        VirtualMachine relabelled = vm();
        relabelled.getMetadata().getLabels().put("new", "label");
        assertThat(SnapshotAdmission.vmUpdate(old, relabelled)).as("labels may change").isNull();
        assertThat(SnapshotAdmission.vmUpdate(vm(), halted)).as("no snapshot, no rule").isNull();

        VirtualMachine restoring = vm();
        restoring.getStatus().restoreInProgress = "rollback";
        assertThat(SnapshotAdmission.vmUpdate(restoring, halted)).isEqualTo("Cannot update VM runStrategy until restore \"rollback\" completes");
        assertThat(SnapshotAdmission.vmUpdate(restoring, fewer)).as("the restore rewrites volumes").isNull();
    }

    @Test
    void snapshotsNameAVmAndKeepTheirSpec() {
        assertThat(SnapshotAdmission.snapshotCreate(snapshot(null))).isNull();
        VirtualMachineSnapshot noGroup = snapshot(null);
        noGroup.getSpec().source = new ObjectReference(null, "VirtualMachine", "web");
        assertThat(SnapshotAdmission.snapshotCreate(noGroup)).isEqualTo("missing apiGroup");
        noGroup.getSpec().source.apiGroup = "apps";
        assertThat(SnapshotAdmission.snapshotCreate(noGroup)).isEqualTo("invalid apiGroup");
        noGroup.getSpec().source = new ObjectReference("kubevirt.io", "VirtualMachineInstance", "web");
        assertThat(SnapshotAdmission.snapshotCreate(noGroup)).isEqualTo("invalid kind");
        assertThat(SnapshotAdmission.snapshotCreate(snapshot("soon"))).contains("not a Go duration");
        VirtualMachineSnapshot changed = snapshot("1m");
        assertThat(SnapshotAdmission.specUpdate(snapshot(null).getSpec(), changed.getSpec())).isEqualTo("spec in immutable after creation");
        assertThat(SnapshotAdmission.specUpdate(snapshot(null).getSpec(), snapshot(null).getSpec())).isNull();
    }

    @Test
    void restoresPatchOnlyTheSpecLabelsAndAnnotationsOneAtATimePerTarget() {
        VirtualMachineRestore restore = restore("web", null);
        restore.getSpec().patches = List.of("{\"op\":\"replace\",\"path\":\"/metadata/name\",\"value\":\"x\"}");
        assertThat(SnapshotAdmission.restoreCreate(restore, List.of())).contains("not /metadata/name");
        restore.getSpec().patches = List.of("{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"b\"}");
        assertThat(SnapshotAdmission.restoreCreate(restore, List.of())).isNull();
        VirtualMachineRestore other = restore("web", null);
        other.getMetadata().setName("earlier");
        assertThat(SnapshotAdmission.restoreCreate(restore, List.of(other))).isEqualTo("VirtualMachineRestore \"earlier\" in progress");
        other.getStatus().complete = true;
        assertThat(SnapshotAdmission.restoreCreate(restore, List.of(other))).isNull();
        restore.getSpec().volumeRestorePolicy = "Sideways";
        assertThat(SnapshotAdmission.restoreCreate(restore, List.of())).contains("spec.volumeRestorePolicy Sideways");
    }

    @Test
    void clonesComeFromAVmOrAVmSnapshot() {
        VirtualMachineClone clone = new VirtualMachineClone();
        clone.setSpec(new VirtualMachineClone.Spec());
        clone.getSpec().source = ObjectReference.virtualMachine("web");
        assertThat(SnapshotAdmission.cloneCreate(clone)).isNull();
        clone.getSpec().source = new ObjectReference("snapshot.kubevirt.io", "VirtualMachineSnapshot", "nightly");
        assertThat(SnapshotAdmission.cloneCreate(clone)).isNull();
        clone.getSpec().source = new ObjectReference("", "PersistentVolumeClaim", "disk");
        assertThat(SnapshotAdmission.cloneCreate(clone)).startsWith("spec.source must be");
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(GoDuration.parse("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
        assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(GoDuration.parse("0s")).isZero();
        assertThat(GoDuration.format(Duration.ofMinutes(5))).isEqualTo("5m0s");
        assertThat(GoDuration.format(Duration.ofSeconds(30))).isEqualTo("30s");
    }
}
