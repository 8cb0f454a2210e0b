package dev.ferry.api.kubevirt.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/** {@code VirtualMachineInstance.spec}: the domain (CPU, memory, devices, firmware) and the volumes behind its disks. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VmiSpec {
    public Domain domain;
    public List<Volume> volumes;
    public List<Network> networks;
    public Long terminationGracePeriodSeconds;
    public Map<String, String> nodeSelector;
    /** None, LiveMigrate, LiveMigrateIfPossible or External: what a node drain does to the VMI (KubeVirt's field; Ferry reads it for {@code kubevirt_vmi_non_evictable}). */
    public String evictionStrategy;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Domain {
        public Cpu cpu;
        public Memory memory;
        public Resources resources;
        public Devices devices;
        public Firmware firmware;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Cpu {
        public Integer cores;
        public Integer sockets;
        public Integer threads;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Memory {
        public Quantity guest;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Resources {
        public Map<String, Quantity> requests;
        public Map<String, Quantity> limits;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Devices {
        public List<Disk> disks;
        public List<Interface> interfaces;
        public Boolean autoattachSerialConsole;
        /** KubeVirt attaches one masquerade interface on the pod network unless this is false or interfaces are given. */
        public Boolean autoattachPodInterface;
    }

    /** A NIC: its binding (masquerade, bridge), model (virtio by default) and MAC. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Interface {
        public String name;
        public String model;
        public String macAddress;
        public Map<String, Object> masquerade;
        public Map<String, Object> bridge;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Network {
        public String name;
        public Map<String, Object> pod;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Disk {
        public String name;
        public DiskTarget disk;
        public DiskTarget cdrom;
        public Integer bootOrder;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DiskTarget {
        /** virtio (KubeVirt's default), sata, scsi. */
        public String bus;
        public Boolean readonly;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Firmware {
        public String uuid;
        /** The SMBIOS system serial number the guest sees. */
        public String serial;
        public KernelBoot kernelBoot;
    }

    /** Direct kernel boot. In KubeVirt the files come from a container image; Ferry also reads node paths. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KernelBoot {
        public String kernelArgs;
        public KernelBootContainer container;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KernelBootContainer {
        public String image;
        public String kernelPath;
        public String initrdPath;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Volume {
        public String name;
        public ClaimRef persistentVolumeClaim;
        public DataVolumeRef dataVolume;
        public ContainerDisk containerDisk;
        public CloudInitNoCloud cloudInitNoCloud;
        public EmptyDisk emptyDisk;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ClaimRef {
        public String claimName;
        public Boolean readOnly;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DataVolumeRef {
        public String name;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ContainerDisk {
        public String image;
        public String path;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CloudInitNoCloud {
        public String userData;
        public String userDataBase64;
        public SecretRef secretRef;
        public String networkData;
        public String networkDataBase64;
        public SecretRef networkDataSecretRef;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretRef {
        public String name;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EmptyDisk {
        public Quantity capacity;
    }
}
