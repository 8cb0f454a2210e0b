package dev.ferry.controllers.snapshot.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.runtime.k8s.ConditionedStatus;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import dev.ferry.controllers.snapshot.SnapshotDecision;
import dev.ferry.controllers.snapshot.SnapshotNames;
import dev.ferry.controllers.snapshot.SnapshotObserved;
import dev.ferry.controllers.snapshot.SnapshotPlan;
import dev.ferry.controllers.vmi.LauncherAddress;
import dev.ferry.worker.launcher.LauncherClient;
import dev.ferry.worker.launcher.ThawResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Reconciles one VirtualMachineSnapshot: observe → {@link SnapshotDecision} → apply. The guest is
 * frozen and thawed through its launcher's control endpoint (KubeVirt goes through virt-api and
 * virt-handler to virt-launcher; Ferry's controller asks the launcher directly); a freeze that
 * fails is decided again as an error, and no VolumeSnapshot is taken of a guest that was to be
 * frozen and is not.
 */
public final class SnapshotReconciler implements Reconciler {
    private static final Logger LOG = Logger.getLogger(SnapshotReconciler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An error's time changes on every pass; its message is what is new. */
    private static final ConditionedStatus<VirtualMachineSnapshot.Status, SnapshotCondition> STATUS = new ConditionedStatus<>(
            VirtualMachineSnapshot.Status.class, s -> s.conditions, (s, c) -> s.conditions = c, s -> {
                if (s.error != null) {
                    s.error = new dev.ferry.api.snapshot.v1beta1.SnapshotError(null, s.error.message);
                }
                return s;
            });
    private final KubernetesClient client;
    private final Apply apply;
    private final SnapshotObserver observer;
    private final EventRecorder events;
    private final Clock clock;

    public SnapshotReconciler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.observer = new SnapshotObserver(client, clock);
        this.events = new EventRecorder(client, clock);
        this.clock = clock;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        VirtualMachineSnapshot snapshot = client.resources(VirtualMachineSnapshot.class).inNamespace(key.namespace())
                .withName(key.name()).get();
        if (snapshot == null) {
            return null;
        }
        if (snapshot.getMetadata().getDeletionTimestamp() == null) {
            snapshot = apply.addFinalizer(snapshot, SnapshotNames.SNAPSHOT_FINALIZER);
        }
        SnapshotObserved observed = observer.observe(snapshot);
        SnapshotPlan plan = SnapshotDecision.decide(observed);
        if (plan.guest() == SnapshotPlan.Guest.FREEZE) {
            String failed = freeze(observed.vmi(), SnapshotDecision.deadline(snapshot));
            if (failed != null) {
                plan = SnapshotDecision.decide(observed.withFreezeError(failed));
            }
        }
        Duration retry = apply(snapshot, observed, plan);
        return retry != null ? retry : plan.requeueAfter();
    }

    private Duration apply(VirtualMachineSnapshot snapshot, SnapshotObserved o, SnapshotPlan plan) {
        Duration retry = null;
        boolean thawFailed = plan.guest() == SnapshotPlan.Guest.THAW && !thaw(snapshot, o.vmi());
        if (thawFailed) {
            // the VM stays held until a thaw is answered: the hold is what makes the next pass thaw again
            retry = Duration.ofSeconds(5);
        }
        VirtualMachine vm = o.vm();
        String name = snapshot.getMetadata().getName();
        if (plan.lock() == SnapshotPlan.Lock.LOCK) {
            vm = apply.addFinalizer(vm, SnapshotNames.SOURCE_FINALIZER);
            vm = apply.editStatus(vm, current -> {
                current.setStatus(current.getStatus() == null ? new dev.ferry.api.kubevirt.v1.VmStatus() : current.getStatus());
                if (current.getStatus().snapshotInProgress == null) {
                    current.getStatus().snapshotInProgress = name;
                }
                return current;
            });
            LOG.info(() -> key(snapshot) + ": locked VM " + o.vm().getMetadata().getName());
        } else if (plan.lock() == SnapshotPlan.Lock.UNLOCK && !thawFailed) {
            vm = apply.editStatus(vm, current -> {
                if (current.getStatus() != null && name.equals(current.getStatus().snapshotInProgress)) {
                    current.getStatus().snapshotInProgress = null;
                }
                return current;
            });
            apply.removeFinalizer(vm, SnapshotNames.SOURCE_FINALIZER);
            LOG.info(() -> key(snapshot) + ": unlocked VM " + o.vm().getMetadata().getName());
        }
        if (plan.volumeSnapshotStatuses() != null && vm != null && !JSON.valueToTree(plan.volumeSnapshotStatuses())
                .equals(JSON.valueToTree(vm.getStatus() == null ? null : vm.getStatus().volumeSnapshotStatuses))) {
            apply.editStatus(vm, current -> {
                current.setStatus(current.getStatus() == null ? new dev.ferry.api.kubevirt.v1.VmStatus() : current.getStatus());
                current.getStatus().volumeSnapshotStatuses = plan.volumeSnapshotStatuses();
                return current;
            });
        }
        if (plan.createContent() != null) {
            apply.create(plan.createContent());
        }
        plan.createVolumeSnapshots().forEach(apply::create);
        VirtualMachineSnapshotContent content = o.content();
        if (plan.contentStatus() != null && content != null && !JSON.valueToTree(plan.contentStatus())
                .equals(JSON.valueToTree(content.getStatus()))) {
            content = apply.editStatus(content, current -> {
                current.setStatus(plan.contentStatus());
                return current;
            });
        }
        if (plan.releaseContent() && content != null) {
            apply.removeFinalizer(content, SnapshotNames.CONTENT_FINALIZER);
        }
        plan.delete().forEach(this::delete);
        STATUS.write(apply, clock, snapshot, plan.status());
        if (plan.event() != null) {
            events.record(snapshot, plan.event(), occurrence(plan));
        }
        if (plan.removeFinalizer()) {
            apply.removeFinalizer(snapshot, SnapshotNames.SNAPSHOT_FINALIZER);
        }
        return retry;
    }

    private void delete(HasMetadata object) {
        try {
            apply.delete(object);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** Freezes the guest (thawed by the launcher after {@code deadline} at the latest); null, or why it failed. */
    private String freeze(VirtualMachineInstance vmi, Duration deadline) {
        LauncherClient launcher = launcher(vmi);
        if (launcher == null) {
            return "Failed freezing vm " + vmi.getMetadata().getName() + ": its launcher does not answer";
        }
        try {
            launcher.freeze(deadline);
            LOG.info(() -> vmi.getMetadata().getNamespace() + "/" + vmi.getMetadata().getName() + ": froze the guest's filesystems");
            return null;
        } catch (IOException e) {
            return "Failed freezing vm " + vmi.getMetadata().getName() + ": " + e.getMessage();
        }
    }

    /** Thaws the guest; false when its launcher could not be told (the launcher's own timeout thaws it then). */
    private boolean thaw(VirtualMachineSnapshot snapshot, VirtualMachineInstance vmi) {
        LauncherClient launcher = launcher(vmi);
        if (launcher == null) {
            return true;
        }
        try {
            ThawResult thawed = launcher.unfreeze();
            if (thawed.wasFrozen()) {
                Long held = thawed.frozenMillis();
                LOG.info(() -> key(snapshot) + ": thawed the guest after " + held + " ms frozen");
                events.record(snapshot, Event.normal("ThawedVirtualMachine", "the guest's filesystems were frozen for " + held + " ms"),
                        String.valueOf(held));
            }
            return true;
        } catch (IOException e) {
            LOG.warning(() -> key(snapshot) + ": could not thaw the guest: " + e.getMessage());
            return false;
        }
    }

    private LauncherClient launcher(VirtualMachineInstance vmi) {
        String podName = vmi == null || vmi.getStatus() == null ? null : vmi.getStatus().launcherPod;
        Pod pod = podName == null ? null : client.pods().inNamespace(vmi.getMetadata().getNamespace()).withName(podName).get();
        return LauncherAddress.client(pod);
    }

    private static String occurrence(SnapshotPlan plan) {
        return Objects.toString(plan.status() == null ? null : plan.status().phase, "none").toLowerCase(java.util.Locale.ROOT);
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}
