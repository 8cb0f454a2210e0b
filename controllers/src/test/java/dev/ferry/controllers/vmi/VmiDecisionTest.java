package dev.ferry.controllers.vmi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.testing.VmFixtures;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.LauncherEnv;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A VMI's phases from its claims and its launcher Pod, as a pure decision. */
class VmiDecisionTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private final VirtualMachine vm = VmFixtures.vm("web", "Always");
    private final Map<String, PersistentVolumeClaim> claims = Map.of("root", VmFixtures.claim("web-root", "ReadWriteMany"));

    @Test
    void waitsForItsVolumesThenGetsALauncherWithTheLauncherContract() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, null, "vmi-1");
        VmiPlan waiting = VmiDecision.decide(new VmiObserved(vmi, List.of(), Map.of(), "DataVolume web-root is ImportInProgress",
                "abcde", NOW), Settings.vms());
        assertThat(waiting.createPod()).isNull();
        assertThat(waiting.transition().phase()).isEqualTo(VmiStatus.PENDING);
        assertThat(waiting.transition().reason()).isEqualTo("VolumesNotReady");
        assertThat(waiting.addFinalizer()).isTrue();

        VmiPlan scheduling = VmiDecision.decide(new VmiObserved(vmi, List.of(), claims, null, "abcde", NOW), Settings.vms());
        Pod pod = scheduling.createPod();
        assertThat(pod.getMetadata().getName()).isEqualTo("virt-launcher-web-abcde");
        assertThat(pod.getSpec().getContainers().get(0).getArgs()).containsExactly("worker", "launcher");
        LauncherEnv env = LauncherEnv.fromEnv(pod.getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue)));
        assertThat(env.volumes()).containsOnlyKeys("root");
        assertThat(env.vmiJson()).contains("\"name\":\"web\"");
        assertThat(scheduling.transition().phase()).isEqualTo(VmiStatus.SCHEDULING);
        assertThat(scheduling.transition().migratable().status).isEqualTo("True");
    }

    @Test
    void theLauncherCarriesVelerosBackupHooksAsKubeVirtsDoesUnlessTheVmiSkipsThem() throws Exception {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, null, "vmi-1");
        Pod pod = VmiDecision.decide(new VmiObserved(vmi, List.of(), claims, null, "abcde", NOW), Settings.vms()).createPod();
        assertThat(pod.getSpec().getContainers().get(0).getName()).isEqualTo("compute");
        assertThat(pod.getMetadata().getAnnotations())
                .containsEntry("pre.hook.backup.velero.io/container", "compute")
                .containsEntry("pre.hook.backup.velero.io/command",
                        "[\"/usr/bin/virt-freezer\",\"--freeze\",\"--name\",\"web\",\"--namespace\",\"vms\"]")
                .containsEntry("pre.hook.backup.velero.io/timeout", "60s")
                .containsEntry("post.hook.backup.velero.io/container", "compute")
                .containsEntry("post.hook.backup.velero.io/command",
                        "[\"/usr/bin/virt-freezer\",\"--unfreeze\",\"--name\",\"web\",\"--namespace\",\"vms\"]");

        vmi.getMetadata().setAnnotations(Map.of("kubevirt.io/skip-backup-hooks", "true"));
        Pod skipped = VmiDecision.decide(new VmiObserved(vmi, List.of(), claims, null, "abcde", NOW), Settings.vms()).createPod();
        assertThat(skipped.getMetadata().getAnnotations()).as("no hooks").isNullOrEmpty();
    }

    @Test
    void whatVeleroRestoresWithoutOwnersIsNeitherStartedNorKept() {
        // a VMI its VM made carries KubeVirt's vm-generation annotation; restored, it has lost its ownerReferences
        VirtualMachineInstance restored = VmFixtures.vmi(vm, null, "vmi-2");
        restored.getMetadata().setAnnotations(Map.of(VmiDecision.VM_GENERATION, "3"));
        assertThat(VmiDecision.orphaned(restored)).as("still owned").isFalse();
        restored.getMetadata().setOwnerReferences(List.of());
        assertThat(VmiDecision.orphaned(restored)).isTrue();
        VirtualMachineInstance standalone = VmFixtures.vmi(vm, null, "vmi-3");
        standalone.getMetadata().setOwnerReferences(List.of());
        assertThat(VmiDecision.orphaned(standalone)).as("a VMI nobody's VM made is the user's own").isFalse();

        Pod launcher = VmiDecision.decide(new VmiObserved(VmFixtures.vmi(vm, null, "vmi-1"), List.of(), claims, null, "abcde", NOW),
                Settings.vms()).createPod();
        assertThat(LauncherPodBuilder.stray(launcher)).as("the VMI's own launcher").isFalse();
        launcher.getMetadata().setOwnerReferences(null);
        assertThat(LauncherPodBuilder.stray(launcher)).isTrue();
        Pod importer = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("importer-x").endMetadata().build();
        assertThat(LauncherPodBuilder.stray(importer)).as("only launchers").isFalse();
    }

    @Test
    void followsItsLauncherPod() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.SCHEDULING, "vmi-1");
        vmi.getStatus().launcherPod = "virt-launcher-web-abcde";
        Pod pending = VmFixtures.launcher("virt-launcher-web-abcde", "Pending", null);
        assertThat(decide(vmi, pending).transition().phase()).isEqualTo(VmiStatus.SCHEDULING);
        VmiPlan.Transition scheduled = decide(vmi, VmFixtures.launcher("virt-launcher-web-abcde", "Running", "node-a")).transition();
        assertThat(scheduled.phase()).isEqualTo(VmiStatus.SCHEDULED);
        assertThat(scheduled.node()).isEqualTo("node-a");

        vmi.getStatus().phase = VmiStatus.RUNNING;
        assertThat(decide(vmi, VmFixtures.launcher("virt-launcher-web-abcde", "Running", "node-a")).transition().phase())
                .as("Scheduled → Running is the node handler's step; the controller never steps back").isEqualTo(VmiStatus.RUNNING);
        Pod failed = VmFixtures.launcher("virt-launcher-web-abcde", "Failed", "node-a");
        failed.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withNewState().withNewTerminated().withExitCode(1)
                .withMessage(TerminationMessage.failure("LauncherError", true, "no kernel").toJson()).endTerminated().endState().build()));
        VmiPlan.Transition ended = decide(vmi, failed).transition();
        assertThat(ended.phase()).isEqualTo(VmiStatus.FAILED);
        assertThat(ended.reason()).isEqualTo("LauncherError");
        VmiStatus after = VmiDecision.apply(vmi.getStatus(), ended, NOW);
        assertThat(after.conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Ready");
            assertThat(c.status).isEqualTo("False");
            assertThat(c.message).isEqualTo("no kernel");
        });
        vmi.getStatus().phase = VmiStatus.FAILED;
        assertThat(VmiDecision.decide(observe(vmi, List.of(failed)), Settings.vms()).transition()).as("an ended VMI stays as it ended")
                .isNull();
    }

    @Test
    void aRunningVmiWhoseLauncherIsGoneFails() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "vmi-1");
        vmi.getStatus().launcherPod = "virt-launcher-web-gone0";
        VmiPlan.Transition lost = VmiDecision.decide(observe(vmi, List.of()), Settings.vms()).transition();
        assertThat(lost.phase()).isEqualTo(VmiStatus.FAILED);
        assertThat(lost.reason()).isEqualTo("LauncherGone");
    }

    @Test
    void aDeletedVmiDeletesItsPodsAndGoesOnlyWhenTheyAreGone() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "vmi-1");
        vmi.getMetadata().setDeletionTimestamp(NOW.toString());
        vmi.getMetadata().setFinalizers(new ArrayList<>(List.of(VmiDecision.FINALIZER)));
        VmiPlan first = VmiDecision.decide(observe(vmi, List.of(VmFixtures.launcher("p", "Running", "n"))), Settings.vms());
        assertThat(first.deletePods()).hasSize(1);
        assertThat(first.removeFinalizer()).isFalse();
        assertThat(first.requeueAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(VmiDecision.decide(observe(vmi, List.of()), Settings.vms()).removeFinalizer()).isTrue();
    }

    @Test
    void liveMigratableNeedsSharedClaimsAndNoLocalDisks() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, VmiStatus.RUNNING, "vmi-1");
        assertThat(VmiDecision.liveMigratable(vmi, claims).status).isEqualTo("True");
        VmiStatus.Condition rwo = VmiDecision.liveMigratable(vmi, Map.of("root", VmFixtures.claim("web-root", "ReadWriteOnce")));
        assertThat(rwo.reason).isEqualTo("DisksNotLiveMigratable");
        assertThat(rwo.message).contains("PVC web-root is not shared");
    }

    @Test
    void sameObservationSamePlan() {
        VirtualMachineInstance vmi = VmFixtures.vmi(vm, null, "vmi-1");
        VmiPlan a = VmiDecision.decide(new VmiObserved(vmi, List.of(), claims, null, "xyzzy", NOW), Settings.vms());
        VmiPlan b = VmiDecision.decide(new VmiObserved(vmi, List.of(), claims, null, "xyzzy", NOW), Settings.vms());
        assertThat(a.createPod()).isEqualTo(b.createPod());
        assertThat(a.transition().phase()).isEqualTo(b.transition().phase());
        assertThat(a.transition().launcherPod()).isEqualTo(b.transition().launcherPod());
        assertThat(a.transition().migratable().sameAs(b.transition().migratable())).isTrue();
    }

    private VmiPlan decide(VirtualMachineInstance vmi, Pod launcher) {
        return VmiDecision.decide(observe(vmi, List.of(launcher)), Settings.vms());
    }

    private VmiObserved observe(VirtualMachineInstance vmi, List<Pod> launchers) {
        return new VmiObserved(vmi, launchers, claims, null, "zzzzz", NOW);
    }
}
