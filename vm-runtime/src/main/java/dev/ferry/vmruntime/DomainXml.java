package dev.ferry.vmruntime;

import java.util.Map;

/**
 * libvirt domain XML for a {@link DomainSpec}: raw disks on their bus (virtio as KubeVirt's
 * default), the serial console to a log file, the guest agent's virtio-serial channel
 * ({@value #AGENT_CHANNEL}, as KubeVirt always adds it), the SMBIOS serial, no graphics (libvirt 9
 * rejects graphics type none: the element is simply absent), {@code type='kvm'} or
 * {@code type='qemu'} (TCG).
 */
public final class DomainXml {
    public static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";
    private static final Map<String, String> PREFIX = Map.of("virtio", "vd", "sata", "sd", "scsi", "sd");

    private DomainXml() {
    }

    public static String render(DomainSpec spec) {
        StringBuilder xml = new StringBuilder();
        xml.append("<domain type='").append(spec.accelerator()).append("'>\n");
        xml.append("  <name>").append(escape(spec.name())).append("</name>\n");
        if (spec.uuid() != null) {
            xml.append("  <uuid>").append(escape(spec.uuid())).append("</uuid>\n");
        }
        xml.append("  <memory unit='MiB'>").append(spec.memoryMiB()).append("</memory>\n");
        xml.append("  <vcpu>").append(spec.vcpus()).append("</vcpu>\n");
        if (spec.serial() != null) {
            xml.append("  <sysinfo type='smbios'>\n    <system>\n      <entry name='serial'>").append(escape(spec.serial()))
                    .append("</entry>\n    </system>\n  </sysinfo>\n");
        }
        xml.append("  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n");
        if (spec.serial() != null) {
            xml.append("    <smbios mode='sysinfo'/>\n");
        }
        if (spec.kernel() != null) {
            xml.append("    <kernel>").append(escape(spec.kernel().kernel().toString())).append("</kernel>\n");
            if (spec.kernel().initrd() != null) {
                xml.append("    <initrd>").append(escape(spec.kernel().initrd().toString())).append("</initrd>\n");
            }
            if (spec.kernel().args() != null) {
                xml.append("    <cmdline>").append(escape(spec.kernel().args())).append("</cmdline>\n");
            }
        }
        xml.append("  </os>\n");
        // ACPI as KubeVirt enables it by default: the power button is how a guest is asked to shut down
        xml.append("  <features>\n    <acpi/>\n  </features>\n");
        xml.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n");
        xml.append("  <devices>\n");
        int[] index = new int[2];
        for (DomainSpec.Disk disk : spec.disks()) {
            String prefix = PREFIX.getOrDefault(disk.bus(), "vd");
            int n = "vd".equals(prefix) ? index[0]++ : index[1]++;
            xml.append("    <disk type='").append(disk.block() ? "block" : "file").append("' device='disk'>\n");
            xml.append("      <driver name='qemu' type='raw' cache='none' io='native' discard='unmap'/>\n");
            xml.append("      <source ").append(disk.block() ? "dev" : "file").append("='")
                    .append(escape(disk.path().toString())).append("'/>\n");
            xml.append("      <target dev='").append(prefix).append((char) ('a' + n)).append("' bus='")
                    .append(escape(disk.bus())).append("'/>\n");
            if (disk.readOnly()) {
                xml.append("      <readonly/>\n");
            }
            if (disk.bootOrder() != null) {
                xml.append("      <boot order='").append(disk.bootOrder()).append("'/>\n");
            }
            xml.append("      <alias name='ua-").append(escape(disk.name())).append("'/>\n");
            xml.append("    </disk>\n");
        }
        for (DomainSpec.Nic nic : spec.nics()) {
            xml.append("    <interface type='user'>\n");
            if (nic.mac() != null) {
                xml.append("      <mac address='").append(escape(nic.mac())).append("'/>\n");
            }
            xml.append("      <model type='").append(escape(nic.model())).append("'/>\n");
            xml.append("      <alias name='ua-").append(escape(nic.name())).append("'/>\n");
            xml.append("    </interface>\n");
        }
        String log = escape(spec.serialLog().toString());
        xml.append("    <serial type='file'>\n      <source path='").append(log).append("'/>\n      <target port='0'/>\n    </serial>\n");
        xml.append("    <console type='file'>\n      <source path='").append(log)
                .append("'/>\n      <target type='serial' port='0'/>\n    </console>\n");
        xml.append("    <channel type='unix'>\n      <source mode='bind'/>\n      <target type='virtio' name='").append(AGENT_CHANNEL)
                .append("'/>\n    </channel>\n");
        xml.append("    <memballoon model='none'/>\n");
        xml.append("  </devices>\n</domain>\n");
        return xml.toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace("\"", "&quot;");
    }
}
