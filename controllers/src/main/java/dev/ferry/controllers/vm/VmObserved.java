package dev.ferry.controllers.vm;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import java.time.Instant;
import java.util.Map;

/**
 * Everything one reconcile of a VirtualMachine reads.
 *
 * @param vmi the VMI of the VM's name, or null
 * @param dataVolumes the DataVolume of each {@code dataVolumeTemplates} entry that exists, by name
 */
public record VmObserved(VirtualMachine vm, VirtualMachineInstance vmi, Map<String, DataVolume> dataVolumes, Instant now) {
}
