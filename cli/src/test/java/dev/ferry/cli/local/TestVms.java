package dev.ferry.cli.local;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;

/** VirtualMachines of the test guest (kernel and initrd booted directly) whose root disk is a DataVolume template. */
final class TestVms {
    private TestVms() {
    }

    /**
     * VM {@code namespace/name} with run strategy {@code strategy}, its root disk DataVolume
     * {@code <name>-root} made from {@code rootSpec} (the template's spec, YAML at 8 spaces),
     * {@code kernelArgs} added to the guest's.
     */
    static VirtualMachine vm(String name, String namespace, String strategy, String rootSpec, String kernelArgs) throws IOException {
        return Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: %1$s
                  namespace: %2$s
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
                """.formatted(name, namespace, strategy, rootSpec.stripTrailing(), kernelArgs, TestGuest.kernel(), TestGuest.initrd()),
                VirtualMachine.class);
    }
}
