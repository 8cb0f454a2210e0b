package dev.ferry.controllers.vmclone.k8s;

import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.runtime.k8s.ConditionedStatus;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import dev.ferry.controllers.snapshot.SnapshotNames;
import dev.ferry.controllers.vmclone.VmCloneDecision;
import dev.ferry.controllers.vmclone.VmCloneObserved;
import dev.ferry.controllers.vmclone.VmClonePlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reconciles one VirtualMachineClone: observe → {@link VmCloneDecision} → apply. A clone deleted
 * before it ended takes its temporary snapshot and restore with it.
 */
public final class VmCloneReconciler implements Reconciler {
    private static final ConditionedStatus<VirtualMachineClone.Status, SnapshotCondition> STATUS = new ConditionedStatus<>(
            VirtualMachineClone.Status.class, s -> s.conditions, (s, c) -> s.conditions = c, s -> s);
    private final KubernetesClient client;
    private final Apply apply;
    private final EventRecorder events;
    private final Clock clock;
    private final Supplier<String> suffixes;

    public VmCloneReconciler(KubernetesClient client, Clock clock, Supplier<String> suffixes) {
        this.client = client;
        this.apply = new Apply(client);
        this.events = new EventRecorder(client, clock);
        this.clock = clock;
        this.suffixes = suffixes;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        VirtualMachineClone clone = client.resources(VirtualMachineClone.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (clone == null || clone.getMetadata().getDeletionTimestamp() != null) {
            temporaries(key).forEach(apply::delete);
            return null;
        }
        if (clone.getSpec() == null || clone.getSpec().source == null) {
            return null;
        }
        String namespace = key.namespace();
        String suffix = suffixes.get();
        VirtualMachine source = "VirtualMachine".equals(clone.getSpec().source.kind)
                ? client.resources(VirtualMachine.class).inNamespace(namespace).withName(clone.getSpec().source.name).get() : null;
        VirtualMachineSnapshot snapshot = client.resources(VirtualMachineSnapshot.class).inNamespace(namespace)
                .withName(VmCloneDecision.snapshotInUse(clone)).get();
        VirtualMachineSnapshotContent content = snapshot == null || snapshot.getStatus() == null
                || snapshot.getStatus().virtualMachineSnapshotContentName == null ? null
                : client.resources(VirtualMachineSnapshotContent.class).inNamespace(namespace)
                        .withName(snapshot.getStatus().virtualMachineSnapshotContentName).get();
        VirtualMachineRestore restore = client.resources(VirtualMachineRestore.class).inNamespace(namespace)
                .withName(VmCloneDecision.restoreName(clone)).get();
        VirtualMachine target = client.resources(VirtualMachine.class).inNamespace(namespace)
                .withName(VmCloneDecision.targetName(clone, suffix)).get();
        VmClonePlan plan = VmCloneDecision.decide(new VmCloneObserved(clone, source, snapshot, content, restore, target,
                clock.instant(), suffix));
        if (plan.createSnapshot() != null) {
            apply.create(plan.createSnapshot());
        }
        if (plan.createRestore() != null) {
            apply.create(plan.createRestore());
        }
        STATUS.write(apply, clock, clone, plan.status());
        plan.delete().forEach(apply::delete);
        if (plan.event() != null) {
            events.record(clone, plan.event(), plan.status().phase == null ? "none" : plan.status().phase.toLowerCase(java.util.Locale.ROOT));
        }
        return plan.requeueAfter();
    }

    /** What a clone of this name left labelled as its own. */
    private List<HasMetadata> temporaries(ObjectKey key) {
        List<HasMetadata> found = new ArrayList<>();
        found.addAll(client.resources(VirtualMachineRestore.class).inNamespace(key.namespace())
                .withLabel(SnapshotNames.LABEL_CLONE, key.name()).list().getItems());
        found.addAll(client.resources(VirtualMachineSnapshot.class).inNamespace(key.namespace())
                .withLabel(SnapshotNames.LABEL_CLONE, key.name()).list().getItems());
        return found;
    }
}
