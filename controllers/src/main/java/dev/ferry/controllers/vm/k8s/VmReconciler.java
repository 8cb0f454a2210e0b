package dev.ferry.controllers.vm.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.vm.VmDecision;
import dev.ferry.controllers.vm.VmObserved;
import dev.ferry.controllers.vm.VmPlan;
import dev.ferry.controllers.vm.VmStatuses;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reconciles one VirtualMachine: observe (VM, VMI, DataVolumes) → {@link VmDecision} → apply → status when it changed. */
public final class VmReconciler implements Reconciler {
    private final KubernetesClient client;
    private final Apply apply;
    private final Clock clock;

    public VmReconciler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.clock = clock;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        VirtualMachine vm = client.resources(VirtualMachine.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (vm == null) {
            return null;
        }
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(key.namespace()).withName(key.name()).get();
        Map<String, DataVolume> dataVolumes = new LinkedHashMap<>();
        for (VmSpec.DataVolumeTemplate template : VmDecision.templates(vm)) {
            DataVolume dv = client.resources(DataVolume.class).inNamespace(key.namespace()).withName(template.metadata.getName()).get();
            if (dv != null) {
                dataVolumes.put(template.metadata.getName(), dv);
            }
        }
        VmPlan plan = VmDecision.decide(new VmObserved(vm, vmi, dataVolumes, clock.instant()));
        apply(vm, vmi, plan);
        return plan.requeueAfter();
    }

    private void apply(VirtualMachine vm, VirtualMachineInstance vmi, VmPlan plan) {
        VirtualMachine current = plan.addFinalizer() ? apply.addFinalizer(vm, VmDecision.FINALIZER) : vm;
        plan.createDataVolumes().forEach(apply::create);
        plan.deleteDataVolumes().forEach(apply::delete);
        if (plan.deleteVmi()) {
            apply.delete(vmi);
        }
        if (plan.createVmi() != null) {
            apply.create(plan.createVmi());
        }
        if (plan.halt()) {
            apply.edit(current, v -> {
                v.getSpec().runStrategy = VmSpec.HALTED;
                v.getSpec().running = null;
                return v;
            });
        }
        if (plan.dropRequest() || (plan.status() != null && !VmStatuses.same(current.getStatus(), plan.status()))) {
            writeStatus(current, plan);
        }
        if (plan.removeFinalizer()) {
            apply.removeFinalizer(current, VmDecision.FINALIZER);
        }
    }

    /** The plan's status, stamped; requests queued since this reconcile read the VM stay (the first one goes when done). */
    private void writeStatus(VirtualMachine vm, VmPlan plan) {
        apply.editStatus(vm, fresh -> {
            VmStatus before = fresh.getStatus();
            List<VmStatus.StateChangeRequest> requests = before == null || before.stateChangeRequests == null ? new ArrayList<>()
                    : new ArrayList<>(before.stateChangeRequests);
            if (plan.dropRequest() && !requests.isEmpty()) {
                requests.remove(0);
            }
            VmStatus next = plan.status() != null ? plan.status() : before == null ? new VmStatus() : before;
            if (plan.status() != null) {
                next.conditions = Conditions.stamp(next.conditions, before == null ? null : before.conditions, clock.instant());
            }
            next.stateChangeRequests = requests.isEmpty() ? null : requests;
            fresh.setStatus(next);
            return fresh;
        });
    }
}
