package dev.ferry.controllers.vmi;

import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;

/**
 * What a reconcile of a VMI decided.
 *
 * @param addFinalizer hold the VMI until its launcher Pods are gone
 * @param removeFinalizer let a deleted VMI go (its Pods are gone)
 * @param deletePods launcher Pods to delete
 * @param createPod the launcher Pod to create, or null
 * @param transition where the VMI's status goes, or null to leave it
 * @param requeueAfter when to look again without a change, or null
 */
public record VmiPlan(boolean addFinalizer, boolean removeFinalizer, List<Pod> deletePods, Pod createPod, Transition transition,
        Duration requeueAfter) {

    /**
     * The VMI's next phase, reason and message (the Synchronized condition says why it waits or ended),
     * the Pod now running it and its node, and the LiveMigratable condition.
     */
    public record Transition(String phase, String reason, String message, String launcherPod, String node,
            VmiStatus.Condition migratable) {
    }
}
