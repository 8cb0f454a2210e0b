package dev.ferry.controllers.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.testing.VmFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KubeVirt's run-strategy rules as a pure decision: observations in, plans out, no API server. */
class VmDecisionTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

    /**
     * What each run strategy does with no VMI, a running VMI, one whose guest powered off
     * (Succeeded) and one that failed — CREATE a VMI, DELETE it, KEEP what there is, or HALT.
     */
    @ParameterizedTest(name = "{0} with VMI {1}: {2}")
    @CsvSource({
        "Always,          none,      CREATE",
        "Always,          Running,   KEEP",
        "Always,          Succeeded, DELETE",
        "Always,          Failed,    DELETE",
        "RerunOnFailure,  none,      CREATE",
        "RerunOnFailure,  Running,   KEEP",
        "RerunOnFailure,  Succeeded, KEEP",
        "RerunOnFailure,  Failed,    DELETE",
        "Once,            none,      CREATE",
        "Once,            Running,   KEEP",
        "Once,            Succeeded, HALT",
        "Once,            Failed,    HALT",
        "Manual,          none,      KEEP",
        "Manual,          Running,   KEEP",
        "Manual,          Succeeded, KEEP",
        "Halted,          none,      KEEP",
        "Halted,          Running,   DELETE",
        "Halted,          Succeeded, KEEP",
    })
    void theRunStrategyTable(String strategy, String vmiPhase, String expected) {
        VirtualMachine vm = VmFixtures.vm("web", strategy);
        VirtualMachineInstance vmi = "none".equals(vmiPhase) ? null : VmFixtures.vmi(vm, vmiPhase, "vmi-1");
        VmPlan plan = VmDecision.decide(observe(vm, vmi, "Succeeded"));
        String did = plan.halt() ? "HALT" : plan.createVmi() != null ? "CREATE" : plan.deleteVmi() ? "DELETE" : "KEEP";
        assertThat(did).isEqualTo(expected);
    }

    @Test
    void aVmThatSkipsBackupHooksPassesItToItsVmi() {
        VirtualMachine vm = VmFixtures.vm("web", "Always");
        vm.getMetadata().setGeneration(4L);
        assertThat(VmDecision.decide(observe(vm, null, "Succeeded")).createVmi().getMetadata().getAnnotations())
                .as("only KubeVirt's mark of a VM's VMI").containsOnly(java.util.Map.entry("kubevirt.io/vm-generation", "4"));
        vm.getMetadata().setAnnotations(java.util.Map.of("kubevirt.io/skip-backup-hooks", "true"));
        assertThat(VmDecision.decide(observe(vm, null, "Succeeded")).createVmi().getMetadata().getAnnotations())
                .containsEntry("kubevirt.io/skip-backup-hooks", "true");
    }

    @Test
    void aRestoredVmAskingForANewIdentityIsRenewedBeforeAnythingStartsTheSameWayOnEveryPass() {
        VirtualMachine vm = VmFixtures.vm("web", "Always");
        assertThat(VmDecision.decide(observe(vm, null, "Succeeded")).renew()).isNull();
        vm.getMetadata().setLabels(java.util.Map.of("velero.kubevirt.io/generate-new-firmware-uuid", "true"));
        VmPlan plan = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(plan.createVmi()).isNull();
        assertThat(plan.renew().clearMacAddresses()).isFalse();
        assertThat(plan.renew().firmwareUuid()).isEqualTo(VmDecision.decide(observe(vm, null, "Succeeded")).renew().firmwareUuid());
        VirtualMachine other = VmFixtures.vm("web2", "Always");
        other.getMetadata().setLabels(vm.getMetadata().getLabels());
        assertThat(VmDecision.decide(observe(other, null, "Succeeded")).renew().firmwareUuid()).isNotEqualTo(plan.renew().firmwareUuid());
    }

    @Test
    void noVmiStartsWhileARestoreRewritesTheVm() {
        VirtualMachine vm = VmFixtures.vm("web", "Always");
        vm.setStatus(new VmStatus());
        vm.getStatus().restoreInProgress = "before-upgrade";
        vm.getStatus().snapshotInProgress = "snap";
        VmPlan plan = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(plan.createVmi()).isNull();
        assertThat(plan.status().printableStatus).isEqualTo("Stopped");
        assertThat(plan.status().restoreInProgress).as("the restore controller's field is kept").isEqualTo("before-upgrade");
        assertThat(plan.status().snapshotInProgress).isEqualTo("snap");
        vm.getStatus().restoreInProgress = null;
        assertThat(VmDecision.decide(observe(vm, null, "Succeeded")).createVmi()).isNotNull();
    }

    @Test
    void dataVolumesComeFirst() {
        VirtualMachine vm = VmFixtures.vm("web", "Always");
        VmPlan first = VmDecision.decide(new VmObserved(vm, null, Map.of(), NOW));
        assertThat(first.createDataVolumes()).singleElement().satisfies(dv -> {
            assertThat(dv.getMetadata().getName()).isEqualTo("web-root");
            assertThat(dv.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("vm-uid-web");
        });
        assertThat(first.createVmi()).isNull();
        assertThat(first.status().printableStatus).isEqualTo("Provisioning");
        assertThat(VmDecision.decide(observe(vm, null, "ImportInProgress")).status().printableStatus).isEqualTo("Provisioning");
        assertThat(VmDecision.decide(observe(vm, null, "WaitForFirstConsumer")).status().printableStatus)
                .isEqualTo("WaitingForVolumeBinding");
        assertThat(VmDecision.decide(observe(vm, null, "Failed")).status().printableStatus).isEqualTo("DataVolumeError");
        VmPlan ready = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(ready.createVmi().getMetadata().getLabels()).containsEntry("kubevirt.io/domain", "web");
        assertThat(ready.status().printableStatus).isEqualTo("Starting");
        assertThat(ready.status().created).isTrue();
    }

    @Test
    void aFailedVmiCountsOnceAndTheNextStartWaitsForTheBackOff() {
        VirtualMachine vm = VmFixtures.vm("crash", "Always");
        VmPlan failed = VmDecision.decide(observe(vm, VmFixtures.vmi(vm, VmiStatus.FAILED, "vmi-1"), "Succeeded"));
        assertThat(failed.deleteVmi()).isTrue();
        assertThat(failed.status().printableStatus).isEqualTo("CrashLoopBackOff");
        assertThat(failed.status().startFailure.retries).isEqualTo(1);
        assertThat(failed.status().startFailure.retryAfterTimestamp).isEqualTo(NOW.plusSeconds(10).toString());

        VmFixtures.status(vm).startFailure = failed.status().startFailure;
        VmPlan again = VmDecision.decide(observe(vm, VmFixtures.vmi(vm, VmiStatus.FAILED, "vmi-1"), "Succeeded"));
        assertThat(again.status()).as("the same failed VMI is not counted twice").isNull();

        VmPlan waiting = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(waiting.createVmi()).isNull();
        assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(10).plusMillis(50));
        VmPlan later = VmDecision.decide(new VmObserved(vm, null, Map.of("crash-root", VmFixtures.dataVolume(vm, "Succeeded")),
                NOW.plusSeconds(11)));
        assertThat(later.createVmi()).isNotNull();
    }

    @Test
    void startAndStopRequestsDriveAManualVm() {
        VirtualMachine vm = VmFixtures.vm("manual", "Manual");
        VmFixtures.status(vm).stateChangeRequests = List.of(new VmStatus.StateChangeRequest("Start", null));
        VmPlan start = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(start.createVmi()).isNotNull();
        assertThat(start.dropRequest()).isTrue();

        VirtualMachineInstance running = VmFixtures.vmi(vm, VmiStatus.RUNNING, "vmi-7");
        VmFixtures.status(vm).stateChangeRequests = List.of(new VmStatus.StateChangeRequest("Stop", "vmi-7"));
        VmPlan stop = VmDecision.decide(observe(vm, running, "Succeeded"));
        assertThat(stop.deleteVmi()).isTrue();
        assertThat(stop.status().printableStatus).isEqualTo("Stopping");

        VmFixtures.status(vm).stateChangeRequests = List.of(new VmStatus.StateChangeRequest("Stop", "an-older-vmi"));
        VmPlan stale = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(stale.dropRequest()).as("a stop for a VMI that is gone is dropped").isTrue();
        assertThat(stale.deleteVmi()).isFalse();
    }

    @Test
    void badSpecsAndForeignVmisAreRefusedWithAReason() {
        VirtualMachine both = VmFixtures.vm("both", "Always");
        both.getSpec().running = true;
        VmPlan refused = VmDecision.decide(observe(both, null, "Succeeded"));
        assertThat(refused.createVmi()).isNull();
        assertThat(refused.status().conditions).anySatisfy(c -> {
            assertThat(c.reason).isEqualTo("InvalidRunStrategy");
            assertThat(c.message).contains("mutually exclusive");
        });
        VirtualMachine vm = VmFixtures.vm("web", "Always");
        VirtualMachineInstance foreign = VmFixtures.vmi(vm, VmiStatus.RUNNING, "x");
        foreign.getMetadata().setOwnerReferences(null);
        assertThat(VmDecision.decide(observe(vm, foreign, "Succeeded")).status().conditions)
                .anySatisfy(c -> assertThat(c.reason).isEqualTo("VMIExists"));
    }

    @Test
    void aDeletedVmStopsItsVmiThenRemovesItsDataVolumesThenGoes() {
        VirtualMachine vm = VmFixtures.vm("gone", "Always");
        vm.getMetadata().setDeletionTimestamp(NOW.toString());
        VmPlan first = VmDecision.decide(observe(vm, VmFixtures.vmi(vm, VmiStatus.RUNNING, "v"), "Succeeded"));
        assertThat(first.deleteVmi()).isTrue();
        assertThat(first.removeFinalizer()).isFalse();
        VmPlan then = VmDecision.decide(observe(vm, null, "Succeeded"));
        assertThat(then.deleteDataVolumes()).extracting(dv -> dv.getMetadata().getName()).containsExactly("gone-root");
        assertThat(then.removeFinalizer()).isTrue();
    }

    @Test
    void sameObservationSamePlan() {
        VirtualMachine vm = VmFixtures.vm("web", "Always");
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "v");
        VmPlan a = VmDecision.decide(observe(vm, vmi, "Succeeded"));
        VmPlan b = VmDecision.decide(observe(vm, vmi, "Succeeded"));
        assertThat(VmStatuses.same(a.status(), b.status())).isTrue();
        assertThat(a.status().printableStatus).isEqualTo("Running");
        assertThat(a.status().ready).isTrue();
        assertThat(a.deleteVmi()).isEqualTo(b.deleteVmi());
    }

    private static VmObserved observe(VirtualMachine vm, VirtualMachineInstance vmi, String dataVolumePhase) {
        DataVolume dv = VmFixtures.dataVolume(vm, dataVolumePhase);
        return new VmObserved(vm, vmi, Map.of(dv.getMetadata().getName(), dv), NOW);
    }
}
