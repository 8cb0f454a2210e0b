package dev.ferry.vmruntime;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the launcher asks libvirt to run, derived from a VMI and the local paths of its volumes.
 *
 * @param accelerator {@code kvm} or {@code qemu} (TCG)
 * @param kernel direct kernel boot: kernel, initrd and command line, or null to boot from the disks
 */
public record DomainSpec(String name, String uuid, String serial, int vcpus, long memoryMiB, List<Disk> disks, List<Nic> nics,
        Kernel kernel, Path serialLog, String accelerator) {

    /**
     * A NIC on the pod network. Ferry gives every interface QEMU's user-mode network (NAT, as
     * KubeVirt's masquerade binding gives the guest outbound access); {@code mac} null lets libvirt pick.
     */
    public record Nic(String name, String model, String mac) {
    }

    /** A disk: a raw file or block device, attached on a bus as the VMI's device says. */
    public record Disk(String name, Path path, boolean block, String bus, boolean readOnly, Integer bootOrder) {
    }

    public record Kernel(Path kernel, Path initrd, String args) {
    }

    /**
     * The domain for {@code vmi}: {@code volumes} maps each volume name to its local path (a
     * claim's directory holding disk.img, a block device, or an image file such as the cloud-init seed).
     */
    public static DomainSpec from(VirtualMachineInstance vmi, Map<String, Path> volumes, Path serialLog, String accelerator) {
        VmiSpec spec = vmi.getSpec();
        VmiSpec.Domain domain = spec.domain == null ? new VmiSpec.Domain() : spec.domain;
        List<Disk> disks = new ArrayList<>();
        List<VmiSpec.Disk> devices = domain.devices == null || domain.devices.disks == null ? List.of() : domain.devices.disks;
        for (VmiSpec.Disk device : devices) {
            VmiSpec.Volume volume = spec.volumes == null ? null
                    : spec.volumes.stream().filter(v -> device.name.equals(v.name)).findFirst().orElse(null);
            if (volume == null) {
                throw new IllegalArgumentException("disk " + device.name + " names no volume in spec.volumes");
            }
            if (volume.persistentVolumeClaim == null && volume.dataVolume == null && volume.cloudInitNoCloud == null
                    && volume.containerDisk == null && volume.emptyDisk == null) {
                throw new IllegalArgumentException("volume " + volume.name + ": Ferry's launcher supports persistentVolumeClaim,"
                        + " dataVolume, containerDisk, cloudInitNoCloud and emptyDisk volumes");
            }
            Path local = volumes.get(volume.name);
            if (local == null) {
                throw new IllegalArgumentException("volume " + volume.name + " is not mounted in the launcher");
            }
            // a claim's directory holds disk.img; a regular file (the cloud-init seed) is the disk itself; else a block device
            boolean file = Files.isRegularFile(local);
            boolean block = !file && !Files.isDirectory(local);
            VmiSpec.DiskTarget target = device.disk != null ? device.disk : device.cdrom;
            String bus = target == null || target.bus == null ? "virtio" : target.bus;
            boolean readOnly = (target != null && Boolean.TRUE.equals(target.readonly)) || volume.cloudInitNoCloud != null
                    || (volume.persistentVolumeClaim != null && Boolean.TRUE.equals(volume.persistentVolumeClaim.readOnly));
            disks.add(new Disk(device.name, block || file ? local : local.resolve("disk.img"), block, bus, readOnly,
                    device.bootOrder));
        }
        return new DomainSpec(vmi.getMetadata().getNamespace() + "_" + vmi.getMetadata().getName(),
                domain.firmware == null ? null : domain.firmware.uuid, domain.firmware == null ? null : domain.firmware.serial,
                vcpus(domain.cpu), memoryMiB(domain), disks, nics(spec, domain),
                kernel(domain.firmware), serialLog, accelerator);
    }

    /** The VMI's interfaces, or KubeVirt's default one when it names neither interfaces nor networks. */
    private static List<Nic> nics(VmiSpec spec, VmiSpec.Domain domain) {
        List<VmiSpec.Interface> interfaces = domain.devices == null || domain.devices.interfaces == null ? List.of()
                : domain.devices.interfaces;
        boolean noNetworks = spec.networks == null || spec.networks.isEmpty();
        if (interfaces.isEmpty()) {
            boolean auto = domain.devices == null || !Boolean.FALSE.equals(domain.devices.autoattachPodInterface);
            return auto && noNetworks ? List.of(new Nic("default", "virtio", null)) : List.of();
        }
        List<Nic> nics = new ArrayList<>();
        for (VmiSpec.Interface nic : interfaces) {
            if (nic.model != null && !nic.model.matches("[a-z0-9_-]+")) {
                throw new IllegalArgumentException("interface " + nic.name + ": model " + nic.model + " is not a NIC model name");
            }
            if (nic.macAddress != null && !nic.macAddress.matches("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}")) {
                throw new IllegalArgumentException("interface " + nic.name + ": macAddress " + nic.macAddress + " is not a MAC address");
            }
            nics.add(new Nic(nic.name, nic.model == null ? "virtio" : nic.model, nic.macAddress));
        }
        return nics;
    }

    private static int vcpus(VmiSpec.Cpu cpu) {
        if (cpu == null) {
            return 1;
        }
        return value(cpu.cores) * value(cpu.sockets) * value(cpu.threads);
    }

    private static int value(Integer count) {
        return count == null || count < 1 ? 1 : count;
    }

    /** memory.guest, else requests.memory (KubeVirt requires one of them). */
    private static long memoryMiB(VmiSpec.Domain domain) {
        Quantity memory = domain.memory != null && domain.memory.guest != null ? domain.memory.guest
                : domain.resources != null && domain.resources.requests != null ? domain.resources.requests.get("memory") : null;
        if (memory == null) {
            throw new IllegalArgumentException("the VMI gives no memory: set spec.domain.memory.guest or resources.requests.memory");
        }
        return Quantity.getAmountInBytes(memory).longValue() >> 20;
    }

    private static Kernel kernel(VmiSpec.Firmware firmware) {
        if (firmware == null || firmware.kernelBoot == null || firmware.kernelBoot.container == null) {
            return null;
        }
        VmiSpec.KernelBootContainer container = firmware.kernelBoot.container;
        return new Kernel(Path.of(container.kernelPath), container.initrdPath == null ? null : Path.of(container.initrdPath),
                firmware.kernelBoot.kernelArgs);
    }
}
