package dev.ferry.controllers.migration;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.api.meta.Condition;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.controllers.vmi.VmSettings;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The migration reconciler's decision (KubeVirt's virt-controller migration half), a pure function
 * of the migration, its VMI and the launcher Pods: refuse a VMI that is not running or not
 * LiveMigratable, create the target launcher Pod, record the migration in the VMI's
 * {@code status.migrationState} for the node handler (which connects the two launchers), and follow
 * it through KubeVirt's phases — Pending, Scheduling (target Pod created), Scheduled (it runs),
 * TargetReady (the target launcher waits for the guest), Running (memory moving), Succeeded (the
 * source Pod goes) or Failed (the target Pod goes). Deleting a migration before it ends cancels it.
 */
public final class MigrationDecision {
    public static final String FINALIZER = "ferry.kubevirt.dev/migration-cleanup";
    private static final MigrationPlan NOTHING = new MigrationPlan(false, false, null, List.of(), null, null, null, null);

    private MigrationDecision() {
    }

    public static MigrationPlan decide(MigrationObserved o, VmSettings settings) {
        VirtualMachineInstanceMigration m = o.migration();
        String phase = phase(m);
        boolean ended = VirtualMachineInstanceMigration.SUCCEEDED.equals(phase) || VirtualMachineInstanceMigration.FAILED.equals(phase);
        if (m.getMetadata().getDeletionTimestamp() != null) {
            return cancel(o, ended);
        }
        if (ended) {
            return NOTHING;
        }
        boolean addFinalizer = !m.getMetadata().getFinalizers().contains(FINALIZER);
        MigrationPlan plan = o.vmi() == null ? refuse("VMINotFound", "VirtualMachineInstance "
                + (m.getSpec() == null ? null : m.getSpec().vmiName) + " does not exist")
                : VirtualMachineInstanceMigration.PENDING.equals(phase) ? start(o, settings) : follow(o);
        return new MigrationPlan(addFinalizer, false, plan.createTarget(), plan.deletePods(), plan.startState(), plan.edit(),
                plan.phase(), plan.requeueAfter());
    }

    /** Deleted: abort a running migration first (the source's handler aborts the job), then the target Pod goes. */
    private static MigrationPlan cancel(MigrationObserved o, boolean ended) {
        VmiStatus.MigrationState state = o.state();
        MigrationPlan.StateEdit edit = null;
        if (!ended && state != null && !Boolean.TRUE.equals(state.completed)) {
            boolean started = state.startTimestamp != null;
            edit = started ? new MigrationPlan.StateEdit(true, null, null, null, null)
                    : new MigrationPlan.StateEdit(true, true, "the migration was deleted before it started", o.now().toString(), null);
            if (started && !Boolean.TRUE.equals(state.failed)) {
                return new MigrationPlan(false, false, null, List.of(), null, edit, null, Duration.ofMillis(500));
            }
        }
        boolean completed = state != null && Boolean.TRUE.equals(state.completed);
        return new MigrationPlan(false, o.migration().getMetadata().getFinalizers().contains(FINALIZER), null,
                completed ? List.of() : running(o.targets()), null, edit, null, null);
    }

    private static MigrationPlan start(MigrationObserved o, VmSettings settings) {
        VirtualMachineInstance vmi = o.vmi();
        VmiStatus status = vmi.getStatus();
        if (status == null || !VmiStatus.RUNNING.equals(status.phase) || vmi.getMetadata().getDeletionTimestamp() != null) {
            return refuse("VMINotRunning", "VirtualMachineInstance " + vmi.getMetadata().getName() + " is not running");
        }
        VmiStatus.Condition migratable = Conditions.find(status.conditions, "LiveMigratable");
        if (migratable == null || !migratable.isTrue()) {
            return refuse(migratable == null || migratable.reason == null ? "NotLiveMigratable" : migratable.reason,
                    migratable == null ? "the VMI's LiveMigratable condition is not known yet" : migratable.message);
        }
        VmiStatus.MigrationState running = status.migrationState;
        if (running != null && !Boolean.TRUE.equals(running.completed) && !Boolean.TRUE.equals(running.failed)) {
            return refuse("MigrationInProgress", "VMI " + vmi.getMetadata().getName() + " is being migrated by " + running.migrationUid);
        }
        if (o.waiting() != null) {
            return refuse("VolumesNotReady", o.waiting());
        }
        String uid = o.migration().getMetadata().getUid();
        Pod target = LauncherPodBuilder.buildTarget(vmi, o.claims(), settings, o.podSuffix(), uid);
        VmiStatus.MigrationState state = new VmiStatus.MigrationState();
        state.migrationUid = uid;
        state.sourcePod = status.launcherPod;
        state.sourceNode = status.nodeName;
        state.targetPod = target.getMetadata().getName();
        state.mode = "PreCopy";
        return new MigrationPlan(false, false, target, List.of(), state, null,
                new MigrationPlan.PhaseChange(VirtualMachineInstanceMigration.SCHEDULING, state, null, null), null);
    }

    /** A started migration: the phase from the VMI's migration state and the target Pod. */
    private static MigrationPlan follow(MigrationObserved o) {
        VmiStatus.MigrationState state = o.state();
        if (state == null) {
            return refuse("MigrationStateLost", "the VMI no longer records this migration");
        }
        if (Boolean.TRUE.equals(state.completed)) {
            List<Pod> source = o.source() == null ? List.of() : List.of(o.source());
            return new MigrationPlan(false, false, null, source, null, null,
                    new MigrationPlan.PhaseChange(VirtualMachineInstanceMigration.SUCCEEDED, state, null, null), null);
        }
        if (Boolean.TRUE.equals(state.failed)) {
            return new MigrationPlan(false, false, null, running(o.targets()), null, null,
                    new MigrationPlan.PhaseChange(VirtualMachineInstanceMigration.FAILED, state, "MigrationFailed", state.failureReason),
                    null);
        }
        Pod target = o.targets().stream().filter(p -> p.getMetadata().getName().equals(state.targetPod)).findFirst().orElse(null);
        String podPhase = target == null || target.getStatus() == null ? null : target.getStatus().getPhase();
        if (target == null || "Failed".equals(podPhase) || "Succeeded".equals(podPhase)) {
            return new MigrationPlan(false, false, null, List.of(), null, new MigrationPlan.StateEdit(null, true,
                    "the target launcher Pod " + state.targetPod + (target == null ? " is gone" : " ended"), o.now().toString(), null),
                    null, Duration.ZERO);
        }
        MigrationPlan.StateEdit edit = null;
        String next;
        if (state.startTimestamp != null) {
            next = VirtualMachineInstanceMigration.RUNNING;
        } else if (state.targetNodeAddress != null) {
            next = VirtualMachineInstanceMigration.TARGET_READY;
        } else if ("Running".equals(podPhase)) {
            next = VirtualMachineInstanceMigration.SCHEDULED;
            if (state.targetNode == null && target.getSpec().getNodeName() != null) {
                edit = new MigrationPlan.StateEdit(null, null, null, null, target.getSpec().getNodeName());
            }
        } else {
            next = VirtualMachineInstanceMigration.SCHEDULING;
        }
        return new MigrationPlan(false, false, null, List.of(), null, edit, new MigrationPlan.PhaseChange(next, state, null, null), null);
    }

    private static MigrationPlan refuse(String reason, String message) {
        return new MigrationPlan(false, false, null, List.of(), null, null,
                new MigrationPlan.PhaseChange(VirtualMachineInstanceMigration.FAILED, null, reason, message), null);
    }

    /** Whether {@code change} says something the migration's status does not say yet. */
    public static boolean changes(VirtualMachineInstanceMigration.Status before, MigrationPlan.PhaseChange change) {
        return before == null || !change.phase().equals(before.phase)
                || !Objects.equals(stateKey(before.migrationState), stateKey(change.state()));
    }

    /** {@code current} moved to {@code change}; a refusal or failure gets a Failed condition with its reason. */
    public static VirtualMachineInstanceMigration.Status apply(VirtualMachineInstanceMigration.Status current,
            MigrationPlan.PhaseChange change, Instant now) {
        VirtualMachineInstanceMigration.Status status = current == null ? new VirtualMachineInstanceMigration.Status() : current;
        status.phase = change.phase();
        if (change.state() != null) {
            status.migrationState = change.state();
        }
        if (change.reason() != null) {
            VmiStatus.Condition failed = new VmiStatus.Condition("Failed", Condition.TRUE, change.reason(), change.message());
            failed.lastTransitionTime = now.toString();
            status.conditions = new ArrayList<>(List.of(failed));
        }
        return status;
    }

    /** What of a migration state the migration's status shows. */
    private record StateView(String targetPod, String targetNode, String targetNodeAddress, String startTimestamp, Boolean completed,
            Boolean failed, Long downtimeMillis) {
    }

    private static StateView stateKey(VmiStatus.MigrationState s) {
        return s == null ? null : new StateView(s.targetPod, s.targetNode, s.targetNodeAddress, s.startTimestamp, s.completed, s.failed,
                s.downtimeMillis);
    }

    private static List<Pod> running(List<Pod> pods) {
        return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    public static String phase(VirtualMachineInstanceMigration m) {
        return m.getStatus() == null || m.getStatus().phase == null ? VirtualMachineInstanceMigration.PENDING : m.getStatus().phase;
    }
}
