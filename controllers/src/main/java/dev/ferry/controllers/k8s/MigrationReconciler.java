package dev.ferry.controllers.k8s;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
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
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The migration reconciler (KubeVirt's virt-controller migration half): refuses a VMI that is not
 * running or not LiveMigratable, creates the target launcher Pod, records the migration in the
 * VMI's {@code status.migrationState} for the node handler (which connects the two launchers),
 * and follows it through KubeVirt's phases — Pending, Scheduling (target Pod created), Scheduled
 * (it runs), TargetReady (the target launcher waits for the guest), Running (memory moving),
 * Succeeded (the source Pod is deleted) or Failed (the target Pod is deleted). Deleting a
 * migration before it ends cancels it.
 */
public final class MigrationReconciler {
    public static final String FINALIZER = "ferry.kubevirt.dev/migration-cleanup";
    private static final Logger LOG = Logger.getLogger(MigrationReconciler.class.getName());

    private final KubernetesClient client;
    private final VmSettings settings;
    private final VmiReconciler vmis;
    private final Clock clock;

    public MigrationReconciler(KubernetesClient client, VmSettings settings, VmiReconciler vmis, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.vmis = vmis;
        this.clock = clock;
    }

    public Duration reconcile(String namespace, String name) {
        VirtualMachineInstanceMigration m = client.resources(VirtualMachineInstanceMigration.class).inNamespace(namespace)
                .withName(name).get();
        if (m == null) {
            return null;
        }
        String uid = m.getMetadata().getUid();
        String phase = m.getStatus() == null || m.getStatus().phase == null ? VirtualMachineInstanceMigration.PENDING : m.getStatus().phase;
        boolean ended = VirtualMachineInstanceMigration.SUCCEEDED.equals(phase) || VirtualMachineInstanceMigration.FAILED.equals(phase);
        VirtualMachineInstance vmi = m.getSpec() == null || m.getSpec().vmiName == null ? null
                : client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(m.getSpec().vmiName).get();
        VmiStatus.MigrationState state = vmi == null || vmi.getStatus() == null || vmi.getStatus().migrationState == null
                || !uid.equals(vmi.getStatus().migrationState.migrationUid) ? null : vmi.getStatus().migrationState;
        if (m.getMetadata().getDeletionTimestamp() != null) {
            if (!ended && state != null && !Boolean.TRUE.equals(state.completed)) {
                // cancel: the source's handler aborts the job; the target Pod goes
                editMigrationState(vmi, uid, s -> {
                    s.abortRequested = true;
                    if (s.startTimestamp == null) {
                        s.failed = true;
                        s.failureReason = "the migration was deleted before it started";
                        s.endTimestamp = clock.instant().toString();
                    }
                });
                if (state.startTimestamp != null && !Boolean.TRUE.equals(state.failed)) {
                    return Duration.ofMillis(500);
                }
            }
            deleteTarget(namespace, uid, state != null && Boolean.TRUE.equals(state.completed));
            if (m.getMetadata().getFinalizers().contains(FINALIZER)) {
                client.resources(VirtualMachineInstanceMigration.class).inNamespace(namespace).withName(name).edit(c -> {
                    c.getMetadata().getFinalizers().remove(FINALIZER);
                    return c;
                });
            }
            return null;
        }
        if (ended) {
            return null;
        }
        if (!m.getMetadata().getFinalizers().contains(FINALIZER)) {
            client.resources(VirtualMachineInstanceMigration.class).inNamespace(namespace).withName(name).edit(c -> {
                c.getMetadata().getFinalizers().add(FINALIZER);
                return c;
            });
        }
        if (vmi == null) {
            return fail(m, "VMINotFound", "VirtualMachineInstance " + (m.getSpec() == null ? null : m.getSpec().vmiName)
                    + " does not exist");
        }
        if (VirtualMachineInstanceMigration.PENDING.equals(phase)) {
            return start(m, vmi);
        }
        if (state == null) {
            return fail(m, "MigrationStateLost", "the VMI no longer records this migration");
        }
        if (Boolean.TRUE.equals(state.completed)) {
            Pod source = state.sourcePod == null ? null : client.pods().inNamespace(namespace).withName(state.sourcePod).get();
            if (source != null && source.getMetadata().getDeletionTimestamp() == null) {
                client.resource(source).delete();
            }
            setPhase(m, VirtualMachineInstanceMigration.SUCCEEDED, state, null, null);
            LOG.info(() -> namespace + "/" + name + ": " + vmi.getMetadata().getName() + " migrated to " + state.targetPod
                    + " (downtime " + state.downtimeMillis + " ms, total " + state.totalMillis + " ms)");
            return null;
        }
        if (Boolean.TRUE.equals(state.failed)) {
            deleteTarget(namespace, uid, false);
            setPhase(m, VirtualMachineInstanceMigration.FAILED, state, "MigrationFailed", state.failureReason);
            return null;
        }
        Pod target = client.pods().inNamespace(namespace).withName(state.targetPod).get();
        String podPhase = target == null || target.getStatus() == null ? null : target.getStatus().getPhase();
        if (target == null || "Failed".equals(podPhase) || "Succeeded".equals(podPhase)) {
            editMigrationState(vmi, uid, s -> {
                s.failed = true;
                s.failureReason = "the target launcher Pod " + state.targetPod + (target == null ? " is gone" : " ended");
                s.endTimestamp = clock.instant().toString();
            });
            return Duration.ZERO;
        }
        String next;
        if (state.startTimestamp != null) {
            next = VirtualMachineInstanceMigration.RUNNING;
        } else if (state.targetNodeAddress != null) {
            next = VirtualMachineInstanceMigration.TARGET_READY;
        } else if ("Running".equals(podPhase)) {
            next = VirtualMachineInstanceMigration.SCHEDULED;
            if (state.targetNode == null && target.getSpec().getNodeName() != null) {
                editMigrationState(vmi, uid, s -> s.targetNode = target.getSpec().getNodeName());
            }
        } else {
            next = VirtualMachineInstanceMigration.SCHEDULING;
        }
        setPhase(m, next, state, null, null);
        return null;
    }

    private Duration start(VirtualMachineInstanceMigration m, VirtualMachineInstance vmi) {
        String namespace = vmi.getMetadata().getNamespace();
        VmiStatus status = vmi.getStatus();
        if (status == null || !VmiStatus.RUNNING.equals(status.phase) || vmi.getMetadata().getDeletionTimestamp() != null) {
            return fail(m, "VMINotRunning", "VirtualMachineInstance " + vmi.getMetadata().getName() + " is not running");
        }
        VmiStatus.Condition migratable = status.conditions == null ? null : status.conditions.stream()
                .filter(c -> "LiveMigratable".equals(c.type)).findFirst().orElse(null);
        if (migratable == null || !"True".equals(migratable.status)) {
            return fail(m, migratable == null || migratable.reason == null ? "NotLiveMigratable" : migratable.reason,
                    migratable == null ? "the VMI's LiveMigratable condition is not known yet" : migratable.message);
        }
        VmiStatus.MigrationState running = status.migrationState;
        if (running != null && !Boolean.TRUE.equals(running.completed) && !Boolean.TRUE.equals(running.failed)) {
            return fail(m, "MigrationInProgress", "VMI " + vmi.getMetadata().getName() + " is being migrated by "
                    + running.migrationUid);
        }
        Map<String, PersistentVolumeClaim> claims = new LinkedHashMap<>();
        String waiting = vmis.claims(vmi, claims);
        if (waiting != null) {
            return fail(m, "VolumesNotReady", waiting);
        }
        String uid = m.getMetadata().getUid();
        Pod target = client.resource(LauncherPodBuilder.buildTarget(vmi, claims, settings,
                UUID.randomUUID().toString().substring(0, 5), uid)).create();
        VmiStatus.MigrationState state = new VmiStatus.MigrationState();
        state.migrationUid = uid;
        state.sourcePod = status.launcherPod;
        state.sourceNode = status.nodeName;
        state.targetPod = target.getMetadata().getName();
        state.mode = "PreCopy";
        client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(vmi.getMetadata().getName())
                .editStatus(c -> {
                    c.getStatus().migrationState = state;
                    return c;
                });
        LOG.info(() -> namespace + "/" + m.getMetadata().getName() + ": migrating " + vmi.getMetadata().getName() + " from "
                + state.sourcePod + " to " + state.targetPod);
        setPhase(m, VirtualMachineInstanceMigration.SCHEDULING, state, null, null);
        return null;
    }

    private Duration fail(VirtualMachineInstanceMigration m, String reason, String message) {
        setPhase(m, VirtualMachineInstanceMigration.FAILED, null, reason, message);
        LOG.info(() -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName() + ": refused: " + message);
        return null;
    }

    private void setPhase(VirtualMachineInstanceMigration m, String phase, VmiStatus.MigrationState state, String reason,
            String message) {
        VirtualMachineInstanceMigration.Status before = m.getStatus();
        if (before != null && phase.equals(before.phase) && Objects.equals(stateKey(before.migrationState), stateKey(state))) {
            return;
        }
        String now = clock.instant().toString();
        client.resources(VirtualMachineInstanceMigration.class).inNamespace(m.getMetadata().getNamespace())
                .withName(m.getMetadata().getName()).editStatus(c -> {
                    VirtualMachineInstanceMigration.Status status = c.getStatus() == null
                            ? new VirtualMachineInstanceMigration.Status() : c.getStatus();
                    status.phase = phase;
                    if (state != null) {
                        status.migrationState = state;
                    }
                    if (reason != null) {
                        List<VmiStatus.Condition> conditions = new ArrayList<>();
                        VmiStatus.Condition failed = new VmiStatus.Condition("Failed", "True", reason, message);
                        failed.lastTransitionTime = now;
                        conditions.add(failed);
                        status.conditions = conditions;
                    }
                    c.setStatus(status);
                    return c;
                });
    }

    private static String stateKey(VmiStatus.MigrationState s) {
        return s == null ? null : s.targetPod + "/" + s.targetNode + "/" + s.targetNodeAddress + "/" + s.startTimestamp + "/"
                + s.completed + "/" + s.failed + "/" + s.downtimeMillis;
    }

    private void editMigrationState(VirtualMachineInstance vmi, String uid, Consumer<VmiStatus.MigrationState> change) {
        client.resources(VirtualMachineInstance.class).inNamespace(vmi.getMetadata().getNamespace())
                .withName(vmi.getMetadata().getName()).editStatus(c -> {
                    if (c.getStatus() != null && c.getStatus().migrationState != null
                            && uid.equals(c.getStatus().migrationState.migrationUid)) {
                        change.accept(c.getStatus().migrationState);
                    }
                    return c;
                });
    }

    /** The target launcher Pod of migration {@code uid}, unless it now runs the guest. */
    private void deleteTarget(String namespace, String uid, boolean completed) {
        if (completed) {
            return;
        }
        for (Pod pod : client.pods().inNamespace(namespace).withLabel(LauncherPodBuilder.LABEL_MIGRATION, uid).list().getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                client.resource(pod).delete();
            }
        }
    }
}
