package dev.ferry.controllers.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.testing.VmFixtures;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KubeVirt's migration phases, refusals and cancellation as a pure decision. */
class MigrationDecisionTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private final VirtualMachine vm = VmFixtures.vm("web", "Always");
    private final Map<String, PersistentVolumeClaim> claims = Map.of("root", VmFixtures.claim("web-root", "ReadWriteMany"));

    @Test
    void aRunningMigratableVmiGetsATargetAndGoesThroughKubeVirtsPhases() {
        VirtualMachineInstanceMigration m = migration();
        VirtualMachineInstance vmi = running(true);
        MigrationPlan start = decide(m, vmi, List.of());
        assertThat(start.createTarget().getMetadata().getName()).isEqualTo("virt-launcher-web-tgt00");
        assertThat(start.createTarget().getMetadata().getLabels()).containsEntry("kubevirt.io/migrationJobUID", "m-uid");
        assertThat(start.startState().sourcePod).isEqualTo("virt-launcher-web-src00");
        assertThat(start.phase().phase()).isEqualTo(VirtualMachineInstanceMigration.SCHEDULING);
        assertThat(start.addFinalizer()).isTrue();

        m.setStatus(new VirtualMachineInstanceMigration.Status());
        m.getStatus().phase = VirtualMachineInstanceMigration.SCHEDULING;
        vmi.getStatus().migrationState = start.startState();
        Pod target = VmFixtures.launcher("virt-launcher-web-tgt00", "Pending", null);
        assertThat(decide(m, vmi, List.of(target)).phase().phase()).isEqualTo(VirtualMachineInstanceMigration.SCHEDULING);
        target = VmFixtures.launcher("virt-launcher-web-tgt00", "Running", "node-b");
        MigrationPlan scheduled = decide(m, vmi, List.of(target));
        assertThat(scheduled.phase().phase()).isEqualTo(VirtualMachineInstanceMigration.SCHEDULED);
        assertThat(scheduled.edit().targetNode()).isEqualTo("node-b");
        vmi.getStatus().migrationState.targetNodeAddress = "tcp://10.0.0.1:4000";
        assertThat(decide(m, vmi, List.of(target)).phase().phase()).isEqualTo(VirtualMachineInstanceMigration.TARGET_READY);
        vmi.getStatus().migrationState.startTimestamp = NOW.toString();
        assertThat(decide(m, vmi, List.of(target)).phase().phase()).isEqualTo(VirtualMachineInstanceMigration.RUNNING);
        vmi.getStatus().migrationState.completed = true;
        Pod source = VmFixtures.launcher("virt-launcher-web-src00", "Running", "node-a");
        MigrationPlan done = MigrationDecision.decide(new MigrationObserved(m, vmi, List.of(target), source, Map.of(), null, "x", NOW),
                Settings.vms());
        assertThat(done.phase().phase()).isEqualTo(VirtualMachineInstanceMigration.SUCCEEDED);
        assertThat(done.deletePods()).containsExactly(source);
    }

    @Test
    void refusalsCarryKubeVirtsReasons() {
        assertThat(decide(migration(), running(false), List.of()).phase().reason()).isEqualTo("DisksNotLiveMigratable");
        VirtualMachineInstance stopped = VmFixtures.vmi(vm, VmiStatus.SCHEDULING, "vmi-1");
        assertThat(decide(migration(), stopped, List.of()).phase().reason()).isEqualTo("VMINotRunning");
        MigrationPlan missing = MigrationDecision.decide(new MigrationObserved(migration(), null, List.of(), null, Map.of(), null, "x",
                NOW), Settings.vms());
        assertThat(missing.phase().reason()).isEqualTo("VMINotFound");
        assertThat(missing.createTarget()).isNull();
    }

    @Test
    void aFailedMigrationRemovesItsTarget() {
        VirtualMachineInstanceMigration m = migration();
        m.setStatus(new VirtualMachineInstanceMigration.Status());
        m.getStatus().phase = VirtualMachineInstanceMigration.RUNNING;
        VirtualMachineInstance vmi = running(true);
        vmi.getStatus().migrationState = state();
        vmi.getStatus().migrationState.failed = true;
        vmi.getStatus().migrationState.failureReason = "did not complete within 3 s";
        Pod target = VmFixtures.launcher("virt-launcher-web-tgt00", "Running", "node-b");
        MigrationPlan failed = decide(m, vmi, List.of(target));
        assertThat(failed.phase().phase()).isEqualTo(VirtualMachineInstanceMigration.FAILED);
        assertThat(failed.phase().message()).isEqualTo("did not complete within 3 s");
        assertThat(failed.deletePods()).containsExactly(target);
    }

    @Test
    void deletingAMigrationCancelsIt() {
        VirtualMachineInstanceMigration m = migration();
        m.getMetadata().setDeletionTimestamp(NOW.toString());
        m.getMetadata().setFinalizers(new ArrayList<>(List.of(MigrationDecision.FINALIZER)));
        VirtualMachineInstance vmi = running(true);
        vmi.getStatus().migrationState = state();
        Pod target = VmFixtures.launcher("virt-launcher-web-tgt00", "Running", "node-b");
        MigrationPlan notStarted = decide(m, vmi, List.of(target));
        assertThat(notStarted.edit().failed()).isTrue();
        assertThat(notStarted.deletePods()).containsExactly(target);
        assertThat(notStarted.removeFinalizer()).isTrue();

        vmi.getStatus().migrationState.startTimestamp = NOW.toString();
        MigrationPlan running = decide(m, vmi, List.of(target));
        assertThat(running.edit().abortRequested()).as("the handler aborts the job first").isTrue();
        assertThat(running.removeFinalizer()).isFalse();
        assertThat(running.requeueAfter()).isEqualTo(Duration.ofMillis(500));
    }

    private MigrationPlan decide(VirtualMachineInstanceMigration m, VirtualMachineInstance vmi, List<Pod> targets) {
        return MigrationDecision.decide(new MigrationObserved(m, vmi, targets, null, claims, null, "tgt00", NOW), Settings.vms());
    }

    private static VirtualMachineInstanceMigration migration() {
        VirtualMachineInstanceMigration m = new VirtualMachineInstanceMigration();
        m.setMetadata(new ObjectMetaBuilder().withName("move").withNamespace("vms").withUid("m-uid").build());
        m.setSpec(new VirtualMachineInstanceMigration.Spec());
        m.getSpec().vmiName = "web";
        return m;
    }

    private VirtualMachineInstance running(boolean migratable) {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "vmi-1");
        vmi.getStatus().launcherPod = "virt-launcher-web-src00";
        vmi.getStatus().nodeName = "node-a";
        vmi.getStatus().conditions.add(migratable ? new VmiStatus.Condition("LiveMigratable", "True", null, null)
                : new VmiStatus.Condition("LiveMigratable", "False", "DisksNotLiveMigratable", "PVC web-root is not shared"));
        return vmi;
    }

    private static VmiStatus.MigrationState state() {
        VmiStatus.MigrationState state = new VmiStatus.MigrationState();
        state.migrationUid = "m-uid";
        state.sourcePod = "virt-launcher-web-src00";
        state.targetPod = "virt-launcher-web-tgt00";
        return state;
    }
}
