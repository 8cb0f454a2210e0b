package dev.ferry.controllers.vm.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.controllers.clone.CloneAdmission;
import dev.ferry.controllers.clone.k8s.CloneWebhook;
import dev.ferry.controllers.clone.k8s.SubjectAccess;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.vm.VmDecision;
import dev.ferry.controllers.vm.VmObserved;
import dev.ferry.controllers.vm.VmPlan;
import dev.ferry.controllers.vm.VmStatuses;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciles one VirtualMachine: observe (VM, VMI, DataVolumes) → {@link VmDecision} → apply →
 * status when it changed. A DataVolume template that clones from another namespace is created only
 * when the VM's service account may read that namespace.
 */
public final class VmReconciler implements Reconciler {
    private final KubernetesClient client;
    private final Apply apply;
    private final Clock clock;
    private final EventRecorder events;
    private final CloneAdmission templates;

    public VmReconciler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.clock = clock;
        this.events = new EventRecorder(client, clock);
        this.templates = CloneAdmission.checkOnly(new SubjectAccess(client), CloneWebhook.dataSources(client));
    }

    /**
     * Who creates a VM's DataVolumes, for the clone check: the VM's service account ({@code default}),
     * as KubeVirt authorizes templates ({@code AuthorizeSA}) — the controller's own rights would let
     * anyone who may create a VM read every namespace's volumes.
     */
    static UserInfo serviceAccount(VirtualMachine vm) {
        String namespace = vm.getMetadata().getNamespace();
        return new UserInfoBuilder().withUsername("system:serviceaccount:" + namespace + ":default")
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated").build();
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

    /** The restored VM's new identity written into its template, and the labels that asked for it removed. */
    private static VirtualMachine renew(VirtualMachine vm, VmPlan.Renewal renewal) {
        var spec = vm.getSpec().template == null ? null : vm.getSpec().template.spec;
        if (spec != null && spec.domain != null) {
            if (renewal.clearMacAddresses() && spec.domain.devices != null && spec.domain.devices.interfaces != null) {
                spec.domain.devices.interfaces.forEach(i -> i.macAddress = null);
            }
            if (renewal.firmwareUuid() != null) {
                if (spec.domain.firmware == null) {
                    spec.domain.firmware = new dev.ferry.api.kubevirt.v1.VmiSpec.Firmware();
                }
                spec.domain.firmware.uuid = renewal.firmwareUuid();
            }
        }
        if (vm.getMetadata().getLabels() != null) {
            Map<String, String> labels = new java.util.LinkedHashMap<>(vm.getMetadata().getLabels());
            labels.remove(VmDecision.CLEAR_MAC_ADDRESS);
            labels.remove(VmDecision.NEW_FIRMWARE_UUID);
            vm.getMetadata().setLabels(labels);
        }
        return vm;
    }

    private void apply(VirtualMachine vm, VirtualMachineInstance vmi, VmPlan plan) {
        VirtualMachine current = plan.addFinalizer() ? apply.addFinalizer(vm, VmDecision.FINALIZER) : vm;
        for (DataVolume dv : plan.createDataVolumes()) {
            String refused = templates.refusal(dv, vm.getMetadata().getNamespace(), serviceAccount(vm));
            if (refused != null) {
                events.record(vm, Event.warning("UnauthorizedDataVolumeCreate", refused), dv.getMetadata().getName());
                continue;
            }
            apply.create(dv);
        }
        plan.deleteDataVolumes().forEach(apply::delete);
        if (plan.deleteVmi()) {
            apply.delete(vmi);
        }
        if (plan.createVmi() != null) {
            apply.create(plan.createVmi());
        }
        if (plan.renew() != null) {
            current = apply.edit(current, v -> renew(v, plan.renew()));
            events.record(current, Event.normal("Renewed", "restored: " + plan.renew().describe()), "Renewed");
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
            VmStatuses.carrySnapshotFields(before, next);
            fresh.setStatus(next);
            return fresh;
        });
    }
}
