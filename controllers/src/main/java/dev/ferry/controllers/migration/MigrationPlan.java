package dev.ferry.controllers.migration;

import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;

/**
 * What a reconcile of a migration decided.
 *
 * @param addFinalizer hold the migration until its target Pod is cleaned up
 * @param removeFinalizer let a deleted migration go
 * @param createTarget the target launcher Pod to create, or null
 * @param deletePods launcher Pods to delete (the source after success, targets after failure)
 * @param startState the migration state to put on the VMI when the migration starts, or null
 * @param edit a change to the VMI's migration state (applied only while it is still this migration's), or null
 * @param phase the migration's next phase, or null to leave its status
 * @param requeueAfter when to look again without a change, or null
 */
public record MigrationPlan(boolean addFinalizer, boolean removeFinalizer, Pod createTarget, List<Pod> deletePods,
        VmiStatus.MigrationState startState, StateEdit edit, PhaseChange phase, Duration requeueAfter) {

    /** Fields of the VMI's migration state to set; null ones stay as they are. */
    public record StateEdit(Boolean abortRequested, Boolean failed, String failureReason, String endTimestamp, String targetNode) {
        public void applyTo(VmiStatus.MigrationState state) {
            state.abortRequested = abortRequested != null ? abortRequested : state.abortRequested;
            state.failed = failed != null ? failed : state.failed;
            state.failureReason = failureReason != null ? failureReason : state.failureReason;
            state.endTimestamp = endTimestamp != null ? endTimestamp : state.endTimestamp;
            state.targetNode = targetNode != null ? targetNode : state.targetNode;
        }
    }

    /** The migration's phase, the VMI's migration state it copies, and for a refusal or failure its reason. */
    public record PhaseChange(String phase, VmiStatus.MigrationState state, String reason, String message) {
    }
}
