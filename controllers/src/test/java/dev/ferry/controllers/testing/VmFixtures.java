package dev.ferry.controllers.testing;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;

/** VMs, VMIs, DataVolumes and launcher Pods as the API server would hand them to a decision (uids set, no server). */
public final class VmFixtures {
    private VmFixtures() {
    }

    /** A stored VM: {@link VmTesting#vm} with a uid and its finalizer. */
    public static VirtualMachine vm(String name, String runStrategy) {
        VirtualMachine vm = VmTesting.vm(name, runStrategy, "ReadWriteMany");
        vm.getMetadata().setUid("vm-uid-" + name);
        vm.getMetadata().setFinalizers(new ArrayList<>(List.of("kubevirt.io/virtualMachineControllerFinalize")));
        return vm;
    }

    public static VmStatus status(VirtualMachine vm) {
        if (vm.getStatus() == null) {
            vm.setStatus(new VmStatus());
        }
        return vm.getStatus();
    }

    /** The VM's VMI in {@code phase} (null: just created), owned by the VM. */
    public static VirtualMachineInstance vmi(VirtualMachine vm, String phase, String uid) {
        VirtualMachineInstance vmi = new VirtualMachineInstance();
        vmi.setMetadata(new ObjectMetaBuilder().withName(vm.getMetadata().getName()).withNamespace(vm.getMetadata().getNamespace())
                .withUid(uid).withOwnerReferences(new OwnerReferenceBuilder().withKind("VirtualMachine")
                        .withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid()).build()).build());
        vmi.setSpec(vm.getSpec().template.spec);
        if (phase != null) {
            vmi.setStatus(new VmiStatus());
            vmi.getStatus().phase = phase;
            if (VmiStatus.RUNNING.equals(phase)) {
                vmi.getStatus().conditions = new ArrayList<>(List.of(new VmiStatus.Condition("Ready", "True", null, null)));
            }
        }
        return vmi;
    }

    public static DataVolume dataVolume(VirtualMachine vm, String phase) {
        DataVolume dv = new DataVolume();
        dv.setMetadata(new ObjectMetaBuilder().withName(vm.getMetadata().getName() + "-root").withNamespace(vm.getMetadata().getNamespace())
                .withOwnerReferences(new OwnerReferenceBuilder().withKind("VirtualMachine").withName(vm.getMetadata().getName())
                        .withUid(vm.getMetadata().getUid()).build()).build());
        dv.setStatus(new DataVolumeStatus());
        dv.getStatus().phase = phase;
        return dv;
    }

    public static PersistentVolumeClaim claim(String name, String accessMode) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("vms").endMetadata()
                .withNewSpec().withAccessModes(accessMode).withVolumeMode("Filesystem").endSpec().build();
    }

    /** A launcher Pod in {@code phase} on {@code node}. */
    public static Pod launcher(String name, String phase, String node) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("vms").addToLabels("kubevirt.io", "virt-launcher")
                .endMetadata().withNewSpec().withNodeName(node).endSpec().withNewStatus().withPhase(phase).withPodIP("10.0.0.1")
                .endStatus().build();
    }
}
