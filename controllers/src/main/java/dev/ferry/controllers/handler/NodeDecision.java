package dev.ferry.controllers.handler;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.api.meta.Condition;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.worker.env.NodeHandlerEnv;
import dev.ferry.worker.launcher.LauncherState;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.MigrationReport;
import dev.ferry.worker.launcher.MigrationRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The node handler's decisions (KubeVirt's virt-handler), pure functions of a VMI and what its
 * launchers report: which pause request to carry to the launcher, the VMI status that says how
 * the domain is doing, and for a migration whose source is on this node, when and how to start it
 * and what its outcome means for the VMI.
 */
public final class NodeDecision {
    /** The annotation {@code ferry pause} sets (KubeVirt's pause subresource is not served). */
    public static final String ANN_PAUSE = "ferry.kubevirt.dev/pause";

    /** What to ask of the launcher. */
    public enum LauncherAction { NONE, PAUSE, UNPAUSE }

    /** The VMI's status fields the handler owns. */
    public record GuestStatus(String accelerator, List<VmiStatus.Condition> conditions, String fsFreezeStatus) {
    }

    private NodeDecision() {
    }

    /** Whether the VMI's migration is this node's to drive (its source is here and it has not ended). */
    public static boolean migratingFrom(VirtualMachineInstance vmi, String node) {
        VmiStatus.MigrationState m = vmi.getStatus().migrationState;
        return m != null && m.targetPod != null && node.equals(m.sourceNode) && !Boolean.TRUE.equals(m.completed)
                && !Boolean.TRUE.equals(m.failed);
    }

    public static LauncherAction action(VirtualMachineInstance vmi, LauncherState reported) {
        boolean wanted = "true".equals(vmi.getMetadata().getAnnotations() == null ? null : vmi.getMetadata().getAnnotations().get(ANN_PAUSE));
        if (reported == LauncherState.RUNNING && wanted) {
            return LauncherAction.PAUSE;
        }
        return reported == LauncherState.PAUSED && !wanted ? LauncherAction.UNPAUSE : LauncherAction.NONE;
    }

    /**
     * The VMI running as the launcher reports: phase Running, Ready (False while paused), Paused,
     * AgentConnected (while the guest agent answers), the filesystems' freeze state and the
     * accelerator — or null when nothing changes (or the launcher has no guest to report).
     */
    public static GuestStatus guestStatus(VirtualMachineInstance vmi, LauncherStatus reported, Instant now) {
        if (!reported.state().hasGuest()) {
            return null;
        }
        boolean paused = reported.state() == LauncherState.PAUSED;
        VmiStatus status = vmi.getStatus();
        List<VmiStatus.Condition> conditions = new ArrayList<>();
        for (VmiStatus.Condition c : status.conditions == null ? List.<VmiStatus.Condition>of() : status.conditions) {
            if (!"Ready".equals(c.type) && !"Paused".equals(c.type) && !VmiStatus.AGENT_CONNECTED.equals(c.type)) {
                conditions.add(c);
            }
        }
        conditions.add(new VmiStatus.Condition("Ready", paused ? Condition.FALSE : Condition.TRUE, paused ? "PausedByUser" : null,
                paused ? "the VMI is paused" : null));
        if (paused) {
            conditions.add(new VmiStatus.Condition("Paused", Condition.TRUE, "PausedByUser", "paused by `ferry pause`"));
        }
        if (Boolean.TRUE.equals(reported.agentConnected())) {
            conditions.add(new VmiStatus.Condition(VmiStatus.AGENT_CONNECTED, Condition.TRUE, null, null));
        }
        boolean changed = !VmiStatus.RUNNING.equals(status.phase) || !Objects.equals(reported.accelerator(), status.accelerator)
                || !Conditions.same(conditions, status.conditions) || !Objects.equals(reported.fsFreezeStatus(), status.fsFreezeStatus);
        return changed ? new GuestStatus(reported.accelerator(), Conditions.stamp(conditions, status.conditions, now),
                reported.fsFreezeStatus()) : null;
    }

    /**
     * The request that sends the guest to a target launcher waiting for it at {@code address}, with
     * KubeVirt's limits; unsafe when both ends are on one node (the disk is literally the same file,
     * which libvirt cannot see is shared).
     */
    public static MigrationRequest request(VirtualMachineInstance vmi, LauncherStatus target, String address, boolean sameNode,
            NodeHandlerEnv settings) {
        return new MigrationRequest(target.libvirtUri(), address, target.console(), sameNode, settings.maxDowntimeMillis(),
                settings.bandwidthMiBps(), settings.completionTimeoutPerGiB() * Math.max(1, memoryGiB(vmi)),
                settings.progressTimeoutSeconds());
    }

    /** Whether a target launcher is ready to receive the guest. */
    public static boolean targetReady(LauncherStatus target) {
        return target.state() == LauncherState.WAITING_FOR_MIGRATION && target.migrationPort() != null && target.libvirtUri() != null;
    }

    /** A finished migration recorded on the VMI: on success the target Pod now runs the guest. */
    public static void record(VmiStatus status, MigrationReport outcome) {
        VmiStatus.MigrationState m = status.migrationState;
        m.endTimestamp = outcome.endTimestamp();
        if (outcome.phase() == MigrationReport.Phase.Succeeded) {
            m.completed = true;
            m.downtimeMillis = outcome.downtimeMillis();
            m.totalMillis = outcome.totalMillis();
            m.callMillis = outcome.callMillis();
            status.launcherPod = m.targetPod;
            status.nodeName = m.targetNode != null ? m.targetNode : status.nodeName;
        } else {
            m.failed = true;
            m.failureReason = outcome.message();
        }
    }

    private static long memoryGiB(VirtualMachineInstance vmi) {
        var domain = vmi.getSpec().domain;
        io.fabric8.kubernetes.api.model.Quantity memory = domain == null ? null : domain.memory != null && domain.memory.guest != null
                ? domain.memory.guest : domain.resources != null && domain.resources.requests != null
                        ? domain.resources.requests.get("memory") : null;
        if (memory == null) {
            return 1;
        }
        long bytes = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(memory).longValue();
        return (bytes + (1L << 30) - 1) >> 30;
    }
}
