package dev.ferry.controllers.testing;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;

/** VirtualMachines for controller tests, and what the CDI controller and the node handler would report. */
public final class VmTesting {
    private VmTesting() {
    }

    /** A VM with one DataVolume template ({@code name}-root) in namespace vms. */
    public static VirtualMachine vm(String name, String runStrategy, String accessMode) {
        return Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: %1$s
                  namespace: vms
                spec:
                  runStrategy: %2$s
                  dataVolumeTemplates:
                    - metadata:
                        name: %1$s-root
                      spec:
                        source:
                          blank: {}
                        storage:
                          accessModes: [%3$s]
                          resources:
                            requests:
                              storage: 1Gi
                  template:
                    metadata:
                      labels:
                        kubevirt.io/domain: %1$s
                    spec:
                      domain:
                        memory:
                          guest: 1Gi
                        devices:
                          disks:
                            - name: root
                              disk: {}
                      volumes:
                        - name: root
                          dataVolume:
                            name: %1$s-root
                """.formatted(name, runStrategy, accessMode), VirtualMachine.class);
    }

    /** CDI finished: the DataVolume Succeeded and its claim exists with {@code accessMode}. */
    public static void dataVolumeSucceeded(KubernetesClient client, String namespace, String name, String accessMode) {
        DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(name).get();
        dv.setStatus(new DataVolumeStatus());
        dv.getStatus().phase = "Succeeded";
        client.resource(dv).updateStatus();
        if (client.persistentVolumeClaims().inNamespace(namespace).withName(name).get() == null) {
            client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                    .withNewSpec().withAccessModes(accessMode).withVolumeMode("Filesystem").endSpec().build()).create();
        }
    }

    /** The node handler saw the domain run: phase Running, Ready. */
    public static void vmiRunning(KubernetesClient client, String namespace, String name) {
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get();
        vmi.getStatus().phase = VmiStatus.RUNNING;
        List<VmiStatus.Condition> conditions = new ArrayList<>(vmi.getStatus().conditions == null ? List.of() : vmi.getStatus().conditions);
        conditions.add(new VmiStatus.Condition("Ready", "True", null, null));
        vmi.getStatus().conditions = conditions;
        client.resource(vmi).updateStatus();
    }
}
