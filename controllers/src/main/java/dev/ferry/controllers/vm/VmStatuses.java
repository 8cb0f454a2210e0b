package dev.ferry.controllers.vm;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.runtime.Conditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A VirtualMachine's status as KubeVirt reports it, made from its VMI, and compared times aside. */
public final class VmStatuses {
    private VmStatuses() {
    }

    /**
     * The status for {@code printable} with {@code vmi} (the VMI as the reconcile leaves it, or null):
     * created, ready, the strategy, and the Ready, Paused and (for a bad spec) Failure conditions.
     * The start failure carries over from the current status.
     */
    static VmStatus of(VirtualMachine vm, VirtualMachineInstance vmi, String printable, String strategy, String failureReason,
            String failureMessage) {
        VmStatus current = vm.getStatus();
        VmStatus status = new VmStatus();
        status.printableStatus = printable;
        status.startFailure = current == null ? null : current.startFailure;
        status.stateChangeRequests = current == null ? null : current.stateChangeRequests;
        carrySnapshotFields(current, status);
        status.runStrategy = strategy;
        status.created = vmi != null;
        VmiStatus vmiStatus = vmi == null ? null : vmi.getStatus();
        status.ready = vmiStatus != null && VmiStatus.RUNNING.equals(vmiStatus.phase) && Conditions.isTrue(vmiStatus.conditions, "Ready");
        List<VmiStatus.Condition> conditions = new ArrayList<>();
        conditions.add(new VmiStatus.Condition("Ready", status.ready ? "True" : "False", null, null));
        if (vmiStatus != null && Conditions.isTrue(vmiStatus.conditions, "Paused")) {
            conditions.add(new VmiStatus.Condition("Paused", "True", "PausedByUser", "the VMI is paused"));
        }
        if (failureReason != null) {
            conditions.add(new VmiStatus.Condition("Failure", "True", failureReason, failureMessage));
        }
        status.conditions = conditions;
        return status;
    }

    /** The fields the snapshot and restore controllers own, kept as {@code from} has them. */
    public static void carrySnapshotFields(VmStatus from, VmStatus to) {
        to.snapshotInProgress = from == null ? null : from.snapshotInProgress;
        to.restoreInProgress = from == null ? null : from.restoreInProgress;
        to.volumeSnapshotStatuses = from == null ? null : from.volumeSnapshotStatuses;
    }

    /** Whether {@code after} says what {@code before} says (times and pending requests aside). */
    public static boolean same(VmStatus before, VmStatus after) {
        if (before == null || after == null) {
            return before == after;
        }
        return Objects.equals(before.printableStatus, after.printableStatus) && Objects.equals(before.created, after.created)
                && Objects.equals(before.ready, after.ready) && Objects.equals(before.runStrategy, after.runStrategy)
                && Conditions.same(before.conditions, after.conditions)
                && Objects.equals(retries(before), retries(after)) && Objects.equals(failedVmi(before), failedVmi(after));
    }

    private static Integer retries(VmStatus status) {
        return status.startFailure == null ? null : status.startFailure.retries;
    }

    private static String failedVmi(VmStatus status) {
        return status.startFailure == null ? null : status.startFailure.lastFailedVMIUID;
    }
}
