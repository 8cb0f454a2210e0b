package dev.ferry.vmruntime.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.disk.testing.Tools;
import dev.ferry.vmruntime.Accelerator;
import dev.ferry.vmruntime.Initramfs;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test guest: the node's Debian kernel and a busybox initramfs built here, which loads the
 * virtio modules (Debian builds them as modules), prints how /dev/vda starts, writes FERRY-MARKER onto it and counts
 * on the serial console. Built once per JVM.
 */
public final class TestGuest {
    private static final String[] MODULES = {"drivers/virtio/virtio_ring", "drivers/virtio/virtio",
            "drivers/virtio/virtio_pci_legacy_dev", "drivers/virtio/virtio_pci_modern_dev", "drivers/virtio/virtio_pci",
            "drivers/block/virtio_blk", "drivers/acpi/button", "drivers/input/evdev", "drivers/cdrom/cdrom", "fs/isofs/isofs"};
    private static final String INIT = """
            #!/bin/busybox sh
            /bin/busybox --install -s /bin
            mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
            for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk button evdev cdrom isofs; do
              insmod /modules/$m.ko
            done
            # ACPI power button (a graceful stop): power off, unless ferry.noacpi is on the command line
            grep -q ferry.noacpi /proc/cmdline || for e in /sys/class/input/event*; do
              if grep -q "Power Button" $e/device/name 2>/dev/null; then
                (dd if=/dev/input/${e##*/} of=/dev/null bs=24 count=1 2>/dev/null; echo "guest: power button, powering off"; sync; poweroff -f) &
              fi
            done
            i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            # what the disk held when the guest found it (a golden image's mark), then the guest's own
            echo "disk vda starts $(dd if=/dev/vda bs=16 count=1 2>/dev/null | tr -cd 'A-Z-')"
            echo FERRY-MARKER | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null
            echo "guest up, disk marked"
            # a cloud-init NoCloud seed on another disk: show what cloud-init would read
            mkdir -p /seed
            for d in /dev/vdb /dev/vdc; do
              if [ -b $d ] && mount -t iso9660 -o ro $d /seed 2>/dev/null; then
                echo "cidata seed on $d"
                for f in meta-data user-data; do echo "cidata $f:"; cat /seed/$f; done
                umount /seed
              fi
            done
            for d in vdb vdc vdd vde; do
              if [ -b /dev/$d ]; then echo "disk $d: $(cat /sys/block/$d/size) sectors, starts $(dd if=/dev/$d bs=16 count=1 2>/dev/null | tr -cd 'A-Z-')"; fi
            done
            # ferry.count=N on the kernel command line: count N times, then power off
            max=; for a in $(cat /proc/cmdline); do case $a in ferry.count=*) max=${a#ferry.count=};; esac; done
            n=0; while true; do
              echo "counter $n"; n=$((n+1))
              if [ -n "$max" ] && [ $n -ge $max ]; then echo "guest: counted to $max, powering off"; sync; poweroff -f; fi
              sleep 1
            done
            """;
    private static Path kernel;
    private static Path initrd;

    private TestGuest() {
    }

    public static synchronized Path kernel() throws IOException {
        build();
        return kernel;
    }

    public static synchronized Path initrd() throws IOException {
        build();
        return initrd;
    }

    private static void build() throws IOException {
        if (initrd != null) {
            return;
        }
        Tools.require("virsh");
        Tools.require("qemu-system-x86_64");
        Path found = Accelerator.newestKernel();
        assertThat(found).as("a Debian kernel in /boot (linux-image-amd64): run `make deps`").isNotNull();
        assertThat(Path.of("/bin/busybox")).as("busybox-static: run `make deps`").exists();
        String version = found.getFileName().toString().substring("vmlinuz-".length());
        List<Path> modules = new ArrayList<>();
        for (String module : MODULES) {
            modules.add(Path.of("/lib/modules", version, "kernel", module + ".ko"));
        }
        Path built = Files.createTempFile("ferry-guest", ".cpio.gz");
        built.toFile().deleteOnExit();
        Initramfs.write(built, Path.of("/bin/busybox"), INIT, modules);
        kernel = found;
        initrd = built;
    }

    /** A KubeVirt VMI YAML for the guest: two disks (rootdisk from a DataVolume, data from a read-only claim). */
    public static VirtualMachineInstance vmi(String name) throws IOException {
        return vmi(name, kernel().toString(), initrd().toString());
    }

    public static VirtualMachineInstance vmi(String name, String kernelPath, String initrdPath) {
        return Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: %s
                  namespace: vms
                spec:
                  domain:
                    cpu:
                      cores: 2
                    memory:
                      guest: 256Mi
                    devices:
                      disks:
                        - name: rootdisk
                          disk:
                            bus: virtio
                        - name: data
                          disk: {}
                    firmware:
                      kernelBoot:
                        kernelArgs: "console=ttyS0 panic=-1"
                        container:
                          image: ferry/test-kernel
                          kernelPath: %s
                          initrdPath: %s
                  volumes:
                    - name: rootdisk
                      dataVolume:
                        name: fedora
                    - name: data
                      persistentVolumeClaim:
                        claimName: scratch
                        readOnly: true
                """.formatted(name, kernelPath, initrdPath), VirtualMachineInstance.class);
    }

    private static final java.util.regex.Pattern COUNTER = java.util.regex.Pattern.compile("counter (\\d+)");

    /** The first counter the guest printed on this console log, or -1. */
    public static int firstCounter(Path console) throws IOException {
        java.util.regex.Matcher m = COUNTER.matcher(Files.readString(console, java.nio.charset.StandardCharsets.ISO_8859_1));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The last counter the guest printed on this console log, or -1 (no log yet). */
    public static int lastCounter(Path console) throws IOException {
        if (!Files.exists(console)) {
            return -1;
        }
        java.util.regex.Matcher m = COUNTER.matcher(Files.readString(console, java.nio.charset.StandardCharsets.ISO_8859_1));
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    /** Appends kernel command line arguments (ferry.count=N: power off after N counts; ferry.noacpi: ignore the power button). */
    public static VirtualMachineInstance withKernelArgs(VirtualMachineInstance vmi, String args) {
        var boot = vmi.getSpec().domain.firmware.kernelBoot;
        boot.kernelArgs = boot.kernelArgs + " " + args;
        return vmi;
    }

    /** A volume directory holding a raw disk.img of {@code size}. */
    public static Path volume(Path dir, String name, String size) throws IOException {
        Path volume = Files.createDirectories(dir.resolve(name));
        Tools.run("qemu-img", "create", "-q", "-f", "raw", volume.resolve("disk.img").toString(), size);
        return volume;
    }
}
