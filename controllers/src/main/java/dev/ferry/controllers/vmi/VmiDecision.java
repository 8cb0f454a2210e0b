package dev.ferry.controllers.vmi;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.api.meta.Condition;
import dev.ferry.controllers.datavolume.WorkerOutcome;
import dev.ferry.controllers.runtime.Conditions;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The VMI reconciler's decision (KubeVirt's virt-controller VMI half), a pure function of the VMI,
 * its launcher Pods and its claims: wait for the claims, create the launcher Pod, then follow it —
 * Scheduling while it is Pending, Scheduled (with the node) once it runs, Succeeded or Failed (with
 * the launcher's reason) when it ends. The node handler takes Scheduled to Running. A deleted VMI
 * deletes its launcher Pods first; its finalizer holds it until they are gone, so a restarted VM
 * never meets its old domain.
 */
public final class VmiDecision {
    public static final String FINALIZER = "ferry.kubevirt.dev/vmi-launcher";
    /** On a VMI a VirtualMachine created (KubeVirt's annotation): the VM's generation it was made from. */
    public static final String VM_GENERATION = "kubevirt.io/vm-generation";

    private VmiDecision() {
    }

    public static VmiPlan decide(VmiObserved o, VmSettings settings) {
        VirtualMachineInstance vmi = o.vmi();
        List<Pod> pods = o.launchers();
        if (vmi.getMetadata().getDeletionTimestamp() != null) {
            List<Pod> running = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            boolean gone = pods.isEmpty();
            return new VmiPlan(false, gone && vmi.getMetadata().getFinalizers().contains(FINALIZER), running, null, null,
                    gone ? null : Duration.ofSeconds(1));
        }
        boolean addFinalizer = !vmi.getMetadata().getFinalizers().contains(FINALIZER);
        String phase = phase(vmi);
        if (ended(vmi)) {
            return new VmiPlan(addFinalizer, false, List.of(), null, null, null);
        }
        VmiStatus.Condition migratable = liveMigratable(vmi, o.claims());
        Pod pod = current(vmi, pods);
        if (pod != null) {
            return new VmiPlan(addFinalizer, false, List.of(), null, follow(pod, phase, migratable), null);
        }
        if (VmiStatus.SCHEDULED.equals(phase) || VmiStatus.RUNNING.equals(phase)) {
            return new VmiPlan(addFinalizer, false, List.of(), null,
                    new VmiPlan.Transition(VmiStatus.FAILED, "LauncherGone", "the launcher Pod is gone", null, null, migratable), null);
        }
        if (o.waiting() != null) {
            return new VmiPlan(addFinalizer, false, List.of(), null,
                    new VmiPlan.Transition(VmiStatus.PENDING, "VolumesNotReady", o.waiting(), null, null, migratable), null);
        }
        Pod created = LauncherPodBuilder.build(vmi, o.claims(), settings, o.podSuffix());
        return new VmiPlan(addFinalizer, false, List.of(), created, new VmiPlan.Transition(VmiStatus.SCHEDULING, null, null,
                created.getMetadata().getName(), null, migratable), null);
    }

    /**
     * A VMI a VirtualMachine created that no longer has an owner: Velero restores VMIs (before their
     * VM: restore goes alphabetically) with ownerReferences and status stripped. It is deleted, not
     * started — its guest state is gone with its launcher — and the restored VM starts its own.
     */
    public static boolean orphaned(VirtualMachineInstance vmi) {
        return vmi.getMetadata().getDeletionTimestamp() == null && vmi.getMetadata().getAnnotations() != null
                && vmi.getMetadata().getAnnotations().containsKey(VM_GENERATION)
                && (vmi.getMetadata().getOwnerReferences() == null || vmi.getMetadata().getOwnerReferences().isEmpty());
    }

    /** The Pod running the guest now (a migration target's Pod only once the guest moved there). */
    private static Pod current(VirtualMachineInstance vmi, List<Pod> pods) {
        String current = vmi.getStatus() == null ? null : vmi.getStatus().launcherPod;
        return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> current != null ? current.equals(p.getMetadata().getName())
                        : p.getMetadata().getLabels().get(LauncherPodBuilder.LABEL_MIGRATION) == null)
                .findFirst().orElse(null);
    }

    /** What the launcher Pod says about the VMI. */
    private static VmiPlan.Transition follow(Pod pod, String phase, VmiStatus.Condition migratable) {
        String podPhase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
        String name = pod.getMetadata().getName();
        String node = pod.getSpec().getNodeName();
        return switch (podPhase) {
            case "Running" -> new VmiPlan.Transition(VmiStatus.RUNNING.equals(phase) ? VmiStatus.RUNNING : VmiStatus.SCHEDULED,
                    null, null, name, node, migratable);
            // the launcher's termination message: GuestPoweredOff, Shutdown, LauncherError …
            case "Succeeded", "Failed" -> {
                WorkerOutcome outcome = WorkerOutcome.of(pod);
                yield new VmiPlan.Transition("Succeeded".equals(podPhase) ? VmiStatus.SUCCEEDED : VmiStatus.FAILED, outcome.reason(),
                        outcome.message(), name, node, migratable);
            }
            default -> new VmiPlan.Transition(VmiStatus.SCHEDULING, null, pendingMessage(pod), name, node, migratable);
        };
    }

    private static String pendingMessage(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? null : pod.getStatus().getConditions().stream()
                .filter(c -> "False".equals(c.getStatus()) && c.getMessage() != null).map(c -> c.getReason() + ": " + c.getMessage())
                .findFirst().orElse(null);
    }

    /** Whether {@code next} changes anything in {@code before}. */
    public static boolean changes(VmiStatus before, VmiPlan.Transition next) {
        return before == null || !Objects.equals(before.phase, next.phase()) || !Objects.equals(before.reason, next.reason())
                || (next.launcherPod() != null && !next.launcherPod().equals(before.launcherPod))
                || (next.node() != null && !next.node().equals(before.nodeName))
                || !next.migratable().sameAs(Conditions.find(before.conditions, next.migratable().type))
                || !synchronizedCondition(next).sameAs(Conditions.find(before.conditions, "Synchronized"));
    }

    /**
     * {@code current} (the VMI's status as the API server has it now) moved by {@code next}: never
     * back from Running to Scheduled — the node handler owns that step.
     */
    public static VmiStatus apply(VmiStatus current, VmiPlan.Transition next, Instant now) {
        VmiStatus status = current == null ? new VmiStatus() : current;
        if (!(VmiStatus.RUNNING.equals(status.phase) && VmiStatus.SCHEDULED.equals(next.phase()))) {
            status.phase = next.phase();
        }
        status.reason = next.reason();
        status.launcherPod = next.launcherPod() != null ? next.launcherPod() : status.launcherPod;
        status.nodeName = next.node() != null ? next.node() : status.nodeName;
        List<VmiStatus.Condition> conditions = status.conditions == null ? new ArrayList<>() : status.conditions;
        conditions = stamped(conditions, next.migratable(), now);
        conditions = stamped(conditions, synchronizedCondition(next), now);
        if (VmiStatus.SUCCEEDED.equals(status.phase) || VmiStatus.FAILED.equals(status.phase)) {
            conditions.removeIf(c -> "Ready".equals(c.type) || "Paused".equals(c.type));
            conditions.add(new VmiStatus.Condition("Ready", Condition.FALSE, next.reason(), next.message()));
        }
        status.conditions = conditions;
        return status;
    }

    private static List<VmiStatus.Condition> stamped(List<VmiStatus.Condition> conditions, VmiStatus.Condition wanted, Instant now) {
        VmiStatus.Condition copy = new VmiStatus.Condition(wanted.type, wanted.status, wanted.reason, wanted.message);
        return Conditions.put(conditions, Conditions.stamp(List.of(copy), conditions, now).get(0));
    }

    /** Ferry reports why a VMI waits or ended in KubeVirt's Synchronized condition (False with the reason). */
    static VmiStatus.Condition synchronizedCondition(VmiPlan.Transition next) {
        return next.message() == null ? new VmiStatus.Condition("Synchronized", Condition.TRUE, null, null)
                : new VmiStatus.Condition("Synchronized", Condition.FALSE, next.reason() == null ? next.phase() : next.reason(),
                        next.message());
    }

    /**
     * KubeVirt's LiveMigratable condition: every claim must be ReadWriteMany (the disk is shared,
     * not copied), and no containerDisk or emptyDisk may hold writes only its launcher has (Ferry
     * does not copy disks; a cloud-init seed is rewritten identically by the target).
     */
    public static VmiStatus.Condition liveMigratable(VirtualMachineInstance vmi, Map<String, PersistentVolumeClaim> claims) {
        List<String> local = new ArrayList<>();
        for (VmiSpec.Volume volume : vmi.getSpec().volumes == null ? List.<VmiSpec.Volume>of() : vmi.getSpec().volumes) {
            if (volume.containerDisk != null || volume.emptyDisk != null) {
                local.add(volume.name);
            }
        }
        if (!local.isEmpty()) {
            return new VmiStatus.Condition("LiveMigratable", Condition.FALSE, "DisksNotLiveMigratable", "cannot migrate VMI: volumes "
                    + String.join(", ", local) + " are containerDisk or emptyDisk, local to the launcher (Ferry moves memory,"
                    + " not disks; use a ReadWriteMany DataVolume)");
        }
        List<String> unshared = new ArrayList<>();
        claims.forEach((volume, claim) -> {
            List<String> modes = claim.getSpec().getAccessModes();
            if (modes == null || !modes.contains("ReadWriteMany")) {
                unshared.add(claim.getMetadata().getName());
            }
        });
        return unshared.isEmpty() ? new VmiStatus.Condition("LiveMigratable", Condition.TRUE, null, null)
                : new VmiStatus.Condition("LiveMigratable", Condition.FALSE, "DisksNotLiveMigratable",
                        "cannot migrate VMI: PVC " + String.join(", ", unshared) + " is not shared, live migration requires"
                                + " that all PVCs must be shared (using ReadWriteMany access mode)");
    }

    public static boolean ended(VirtualMachineInstance vmi) {
        return VmiStatus.SUCCEEDED.equals(phase(vmi)) || VmiStatus.FAILED.equals(phase(vmi));
    }

    public static String phase(VirtualMachineInstance vmi) {
        return vmi.getStatus() == null || vmi.getStatus().phase == null ? VmiStatus.PENDING : vmi.getStatus().phase;
    }
}
