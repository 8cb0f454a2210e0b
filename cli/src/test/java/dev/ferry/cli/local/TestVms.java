package dev.ferry.cli.local;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.vmruntime.testing.AgentGuest;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;

/** VirtualMachines of the test guests (kernel and initrd booted directly) whose root disk is a DataVolume template. */
final class TestVms {
    private TestVms() {
    }

    /**
     * VM {@code namespace/name} with run strategy {@code strategy}, its root disk DataVolume
     * {@code <name>-root} made from {@code rootSpec} (the template's spec, YAML at 8 spaces),
     * {@code kernelArgs} added to the guest's.
     */
    static VirtualMachine vm(String name, String namespace, String strategy, String rootSpec, String kernelArgs) throws IOException {
        return vm(name, namespace, "{}", strategy, rootSpec, kernelArgs, TestGuest.kernel(), TestGuest.initrd());
    }

    /** As {@link #vm}, of the guest with an agent (bin/guest-image), labelled {@code labels} (a YAML flow map). */
    static VirtualMachine agentVm(String name, String namespace, String labels, String strategy, String rootSpec) throws IOException {
        return vm(name, namespace, labels, strategy, rootSpec, "", AgentGuest.kernel(), AgentGuest.initrd());
    }

    private static VirtualMachine vm(String name, String namespace, String labels, String strategy, String rootSpec, String kernelArgs,
            java.nio.file.Path kernel, java.nio.file.Path initrd) {
        return Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: %1$s
                  namespace: %2$s
                  labels: %8$s
                spec:
                  runStrategy: %3$s
                  dataVolumeTemplates:
                    - metadata:
                        name: %1$s-root
                      spec:
                %4$s
                  template:
                    spec:
                      terminationGracePeriodSeconds: 30
                      domain:
                        cpu:
                          cores: 1
                        memory:
                          guest: 128Mi
                        devices:
                          disks:
                            - name: root
                              disk:
                                bus: virtio
                        firmware:
                          kernelBoot:
                            kernelArgs: "console=ttyS0 panic=-1 quiet%5$s"
                            container:
                              image: ferry/test-guest
                              kernelPath: %6$s
                              initrdPath: %7$s
                      volumes:
                        - name: root
                          dataVolume:
                            name: %1$s-root
                """.formatted(name, namespace, strategy, rootSpec.stripTrailing(), kernelArgs, kernel, initrd, labels),
                VirtualMachine.class);
    }
}
