package dev.ferry.controllers.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.datavolume.WorkerOutcome;
import dev.ferry.controllers.vm.LauncherPodBuilder;
import dev.ferry.controllers.vm.VmSettings;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The VMI reconciler (KubeVirt's virt-controller VMI half): waits for the VMI's claims, creates its
 * launcher Pod, and follows the Pod — Scheduling while it is Pending, Scheduled (with the node)
 * once it runs, Succeeded or Failed (with the launcher's reason) when it ends. The node handler
 * takes Scheduled to Running. Deleting the VMI deletes its launcher Pod first (a finalizer holds
 * the VMI until the Pod is gone, so a restarted VM never meets its old domain).
 */
public final class VmiReconciler {
    public static final String FINALIZER = "ferry.kubevirt.dev/vmi-launcher";
    private static final Logger LOG = Logger.getLogger(VmiReconciler.class.getName());

    private final KubernetesClient client;
    private final VmSettings settings;
    private final Clock clock;

    public VmiReconciler(KubernetesClient client, VmSettings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
    }

    public Duration reconcile(String namespace, String name) {
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get();
        if (vmi == null) {
            return null;
        }
        List<Pod> pods = launcherPods(vmi);
        if (vmi.getMetadata().getDeletionTimestamp() != null) {
            for (Pod pod : pods) {
                if (pod.getMetadata().getDeletionTimestamp() == null) {
                    client.resource(pod).delete();
                }
            }
            if (pods.isEmpty() && vmi.getMetadata().getFinalizers().contains(FINALIZER)) {
                client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).edit(current -> {
                    current.getMetadata().getFinalizers().remove(FINALIZER);
                    return current;
                });
            }
            return pods.isEmpty() ? null : Duration.ofSeconds(1);
        }
        if (!vmi.getMetadata().getFinalizers().contains(FINALIZER)) {
            vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).edit(current -> {
                current.getMetadata().getFinalizers().add(FINALIZER);
                return current;
            });
        }
        String phase = vmi.getStatus() == null || vmi.getStatus().phase == null ? VmiStatus.PENDING : vmi.getStatus().phase;
        if (VmiStatus.SUCCEEDED.equals(phase) || VmiStatus.FAILED.equals(phase)) {
            return null;
        }
        Map<String, PersistentVolumeClaim> claims = new LinkedHashMap<>();
        String waiting = claims(vmi, claims);
        VmiStatus.Condition migratable = liveMigratable(vmi, claims);
        // the Pod running the guest now (a migration target's Pod only once the guest moved there)
        String current = vmi.getStatus() == null ? null : vmi.getStatus().launcherPod;
        Pod pod = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> current != null ? current.equals(p.getMetadata().getName())
                        : p.getMetadata().getLabels().get(LauncherPodBuilder.LABEL_MIGRATION) == null)
                .findFirst().orElse(null);
        Transition next;
        if (pod == null) {
            if (VmiStatus.SCHEDULED.equals(phase) || VmiStatus.RUNNING.equals(phase)) {
                next = new Transition(VmiStatus.FAILED, "LauncherGone", "the launcher Pod is gone", null, null);
            } else if (waiting != null) {
                next = new Transition(VmiStatus.PENDING, "VolumesNotReady", waiting, null, null);
            } else {
                Pod created = client.resource(LauncherPodBuilder.build(vmi, claims, settings,
                        UUID.randomUUID().toString().substring(0, 5))).create();
                LOG.info(() -> namespace + "/" + name + ": launcher Pod " + created.getMetadata().getName() + " created");
                next = new Transition(VmiStatus.SCHEDULING, null, null, created.getMetadata().getName(), null);
            }
        } else {
            next = follow(pod, phase);
        }
        update(vmi, next, migratable);
        return null;
    }

    private record Transition(String phase, String reason, String message, String launcherPod, String node) {
    }

    /** What the launcher Pod says about the VMI. */
    private static Transition follow(Pod pod, String phase) {
        String podPhase = pod.getStatus() == null ? "Pending" : pod.getStatus().getPhase();
        String name = pod.getMetadata().getName();
        String node = pod.getSpec().getNodeName();
        return switch (podPhase == null ? "Pending" : podPhase) {
            case "Running" -> new Transition(VmiStatus.RUNNING.equals(phase) ? VmiStatus.RUNNING : VmiStatus.SCHEDULED,
                    null, null, name, node);
            // the launcher's termination message (the worker contract): GuestPoweredOff, Shutdown, LauncherError …
            case "Succeeded", "Failed" -> {
                WorkerOutcome outcome = WorkerOutcome.of(pod);
                yield new Transition("Succeeded".equals(podPhase) ? VmiStatus.SUCCEEDED : VmiStatus.FAILED, outcome.reason(),
                        outcome.message(), name, node);
            }
            default -> new Transition(VmiStatus.SCHEDULING, null, pendingMessage(pod), name, node);
        };
    }

    private static String pendingMessage(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? null : pod.getStatus().getConditions().stream()
                .filter(c -> "False".equals(c.getStatus()) && c.getMessage() != null).map(c -> c.getReason() + ": " + c.getMessage())
                .findFirst().orElse(null);
    }

    /** Fills {@code claims} (volume → claim); returns why the VMI must wait, or null. */
    String claims(VirtualMachineInstance vmi, Map<String, PersistentVolumeClaim> claims) {
        String namespace = vmi.getMetadata().getNamespace();
        for (VmiSpec.Volume volume : vmi.getSpec().volumes == null ? List.<VmiSpec.Volume>of() : vmi.getSpec().volumes) {
            String claimName = LauncherPodBuilder.claimName(volume);
            if (claimName == null) {
                continue;
            }
            if (volume.dataVolume != null) {
                DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(claimName).get();
                String dvPhase = dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
                if (dv == null) {
                    return "DataVolume " + claimName + " does not exist";
                }
                if (!Phases.SUCCEEDED.equals(dvPhase)) {
                    return "DataVolume " + claimName + " is " + (dvPhase == null ? "Pending" : dvPhase);
                }
            }
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
            if (claim == null) {
                return "PersistentVolumeClaim " + claimName + " does not exist";
            }
            claims.put(volume.name, claim);
        }
        return null;
    }

    /**
     * KubeVirt's LiveMigratable condition: every claim must be ReadWriteMany (the disk is shared,
     * not copied), and no containerDisk or emptyDisk may hold writes only its launcher has (Ferry
     * does not copy disks; a cloud-init seed is rewritten identically by the target).
     */
    static VmiStatus.Condition liveMigratable(VirtualMachineInstance vmi, Map<String, PersistentVolumeClaim> claims) {
        List<String> local = new ArrayList<>();
        for (VmiSpec.Volume volume : vmi.getSpec().volumes == null ? List.<VmiSpec.Volume>of() : vmi.getSpec().volumes) {
            if (volume.containerDisk != null || volume.emptyDisk != null) {
                local.add(volume.name);
            }
        }
        if (!local.isEmpty()) {
            return new VmiStatus.Condition("LiveMigratable", "False", "DisksNotLiveMigratable", "cannot migrate VMI: volumes "
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
        return unshared.isEmpty() ? new VmiStatus.Condition("LiveMigratable", "True", null, null)
                : new VmiStatus.Condition("LiveMigratable", "False", "DisksNotLiveMigratable",
                        "cannot migrate VMI: PVC " + String.join(", ", unshared) + " is not shared, live migration requires"
                                + " that all PVCs must be shared (using ReadWriteMany access mode)");
    }

    private void update(VirtualMachineInstance vmi, Transition next, VmiStatus.Condition migratable) {
        VmiStatus before = vmi.getStatus();
        String now = clock.instant().toString();
        boolean same = before != null && Objects.equals(before.phase, next.phase())
                && Objects.equals(before.reason, next.reason())
                && (next.launcherPod() == null || next.launcherPod().equals(before.launcherPod))
                && (next.node() == null || next.node().equals(before.nodeName))
                && hasCondition(before, migratable) && hasCondition(before, synchronizedCondition(next));
        if (same) {
            return;
        }
        client.resources(VirtualMachineInstance.class).inNamespace(vmi.getMetadata().getNamespace())
                .withName(vmi.getMetadata().getName()).editStatus(current -> {
                    VmiStatus status = current.getStatus() == null ? new VmiStatus() : current.getStatus();
                    // the node handler owns Scheduled → Running; never step back from it here
                    if (!(VmiStatus.RUNNING.equals(status.phase) && VmiStatus.SCHEDULED.equals(next.phase()))) {
                        status.phase = next.phase();
                    }
                    status.reason = next.reason();
                    if (next.launcherPod() != null) {
                        status.launcherPod = next.launcherPod();
                    }
                    if (next.node() != null) {
                        status.nodeName = next.node();
                    }
                    List<VmiStatus.Condition> conditions = new ArrayList<>(status.conditions == null ? List.of() : status.conditions);
                    set(conditions, migratable, now);
                    set(conditions, synchronizedCondition(next), now);
                    if (VmiStatus.SUCCEEDED.equals(status.phase) || VmiStatus.FAILED.equals(status.phase)) {
                        conditions.removeIf(c -> "Ready".equals(c.type) || "Paused".equals(c.type));
                        conditions.add(new VmiStatus.Condition("Ready", "False", next.reason(), next.message()));
                    }
                    status.conditions = conditions;
                    current.setStatus(status);
                    return current;
                });
    }

    /** Ferry reports why a VMI waits or ended in KubeVirt's Synchronized condition (False with the reason). */
    private static VmiStatus.Condition synchronizedCondition(Transition next) {
        return next.message() == null ? new VmiStatus.Condition("Synchronized", "True", null, null)
                : new VmiStatus.Condition("Synchronized", "False", next.reason() == null ? next.phase() : next.reason(), next.message());
    }

    private static boolean hasCondition(VmiStatus status, VmiStatus.Condition wanted) {
        return status.conditions != null && status.conditions.stream().anyMatch(c -> wanted.type.equals(c.type)
                && wanted.status.equals(c.status) && Objects.equals(wanted.reason, c.reason) && Objects.equals(wanted.message, c.message));
    }

    private static void set(List<VmiStatus.Condition> conditions, VmiStatus.Condition wanted, String now) {
        VmiStatus.Condition before = conditions.stream().filter(c -> wanted.type.equals(c.type)).findFirst().orElse(null);
        wanted.lastTransitionTime = before != null && wanted.status.equals(before.status) && before.lastTransitionTime != null
                ? before.lastTransitionTime : now;
        conditions.removeIf(c -> wanted.type.equals(c.type));
        conditions.add(wanted);
    }

    private List<Pod> launcherPods(VirtualMachineInstance vmi) {
        return client.pods().inNamespace(vmi.getMetadata().getNamespace())
                .withLabel(LauncherPodBuilder.LABEL_CREATED_BY, vmi.getMetadata().getUid()).list().getItems();
    }
}
