package dev.ferry.controllers.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.testing.VmFixtures;
import dev.ferry.worker.env.NodeHandlerEnv;
import dev.ferry.worker.launcher.LauncherState;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.MigrationReport;
import dev.ferry.worker.launcher.MigrationRequest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node handler's decisions from what launchers report, without a server or a launcher. */
class NodeDecisionTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private final VirtualMachine vm = VmFixtures.vm("web", "Always");

    @Test
    void pauseRequestsGoToTheLauncher() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "v");
        assertThat(NodeDecision.action(vmi, LauncherState.RUNNING)).isEqualTo(NodeDecision.LauncherAction.NONE);
        vmi.getMetadata().setAnnotations(Map.of(NodeDecision.ANN_PAUSE, "true"));
        assertThat(NodeDecision.action(vmi, LauncherState.RUNNING)).isEqualTo(NodeDecision.LauncherAction.PAUSE);
        assertThat(NodeDecision.action(vmi, LauncherState.PAUSED)).isEqualTo(NodeDecision.LauncherAction.NONE);
        vmi.getMetadata().setAnnotations(Map.of());
        assertThat(NodeDecision.action(vmi, LauncherState.PAUSED)).isEqualTo(NodeDecision.LauncherAction.UNPAUSE);
    }

    @Test
    void theGuestsStateBecomesTheVmiStatusOnlyWhenItChanged() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.SCHEDULED, "v");
        NodeDecision.GuestStatus running = NodeDecision.guestStatus(vmi, status(LauncherState.RUNNING), NOW);
        assertThat(running.accelerator()).isEqualTo("tcg");
        assertThat(running.conditions()).anySatisfy(c -> assertThat(c.type + c.status).isEqualTo("ReadyTrue"));
        vmi.getStatus().phase = VmiStatus.RUNNING;
        vmi.getStatus().accelerator = "tcg";
        vmi.getStatus().conditions = running.conditions();
        assertThat(NodeDecision.guestStatus(vmi, status(LauncherState.RUNNING), NOW)).isNull();
        NodeDecision.GuestStatus paused = NodeDecision.guestStatus(vmi, status(LauncherState.PAUSED), NOW);
        assertThat(paused.conditions()).anySatisfy(c -> assertThat(c.type + c.status + c.reason).isEqualTo("PausedTruePausedByUser"));
        assertThat(NodeDecision.guestStatus(vmi, status(LauncherState.STARTING), NOW)).as("nothing to report yet").isNull();
    }

    @Test
    void anAnsweringAgentIsAConditionAndAFreezeIsReported() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "v");
        LauncherStatus agent = new LauncherStatus(LauncherState.RUNNING, "tcg", "vms_web", "qemu+unix:///s", null, "/s/console.log", null,
                true, null, null);
        NodeDecision.GuestStatus connected = NodeDecision.guestStatus(vmi, agent, NOW);
        assertThat(connected.conditions()).anySatisfy(c -> assertThat(c.type + c.status).isEqualTo("AgentConnectedTrue"));
        assertThat(connected.fsFreezeStatus()).isNull();
        vmi.getStatus().accelerator = "tcg";
        vmi.getStatus().conditions = connected.conditions();
        LauncherStatus frozen = new LauncherStatus(LauncherState.RUNNING, "tcg", "vms_web", "qemu+unix:///s", null, "/s/console.log", null,
                true, LauncherStatus.FROZEN, null);
        assertThat(NodeDecision.guestStatus(vmi, frozen, NOW).fsFreezeStatus()).isEqualTo("frozen");
        assertThat(NodeDecision.guestStatus(vmi, status(LauncherState.RUNNING), NOW).conditions())
                .as("an agent that stops answering loses its condition").noneMatch(c -> "AgentConnected".equals(c.type));
    }

    @Test
    void aMigrationRequestCarriesKubeVirtsLimitsScaledByMemory() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "v");
        LauncherStatus target = new LauncherStatus(LauncherState.WAITING_FOR_MIGRATION, "tcg", "vms_web", "qemu+unix:///t", 4000,
                "/t/console.log", null, null, null, null);
        assertThat(NodeDecision.targetReady(target)).isTrue();
        MigrationRequest request = NodeDecision.request(vmi, target, "tcp://10.0.0.2:4000", true, NodeHandlerEnv.defaults("n"));
        assertThat(request.completionTimeoutSeconds()).as("150 s per GiB of a 1 GiB guest").isEqualTo(150);
        assertThat(request.unsafe()).isTrue();
        assertThat(request.consoleTo()).isEqualTo("/t/console.log");
    }

    @Test
    void aSucceededMigrationMovesTheVmiToItsTarget() {
        VmiStatus status = new VmiStatus();
        status.launcherPod = "source";
        status.migrationState = new VmiStatus.MigrationState();
        status.migrationState.targetPod = "target";
        status.migrationState.targetNode = "node-b";
        NodeDecision.record(status, MigrationReport.running("t0").succeeded("t1", 20, 700, 2500, 9));
        assertThat(status.launcherPod).isEqualTo("target");
        assertThat(status.nodeName).isEqualTo("node-b");
        assertThat(status.migrationState.completed).isTrue();
        assertThat(status.migrationState.downtimeMillis).isEqualTo(20);
    }

    private static LauncherStatus status(LauncherState state) {
        return new LauncherStatus(state, "tcg", "vms_web", "qemu+unix:///s", null, "/s/console.log", null, null, null, null);
    }
}
