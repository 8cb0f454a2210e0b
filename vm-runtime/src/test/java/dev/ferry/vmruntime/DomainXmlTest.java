package dev.ferry.vmruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.vmruntime.testing.TestGuest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** KubeVirt VMI YAML → domain XML, checked by parsing the XML back. */
class DomainXmlTest {
    @TempDir
    Path dir;

    static VirtualMachineInstance vmi(String kernel, String initrd) {
        return TestGuest.vmi("testvm", kernel, initrd);
    }

    @Test
    void aVmiBecomesADomainWithItsDisksMemoryAndConsole() throws Exception {
        Path root = Files.createDirectories(dir.resolve("fedora"));
        Path data = Files.createDirectories(dir.resolve("scratch"));
        var vmi = vmi("/boot/vmlinuz", "/tmp/initrd.gz");
        vmi.getSpec().domain.firmware.serial = "SERIAL-<1>";
        DomainSpec spec = DomainSpec.from(vmi, Map.of("rootdisk", root, "data", data), dir.resolve("console.log"), Accelerator.TCG);
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(DomainXml.render(spec).getBytes(StandardCharsets.UTF_8)));
        var xpath = XPathFactory.newInstance().newXPath();
        assertThat(xpath.evaluate("/domain/@type", xml)).isEqualTo("qemu");
        assertThat(xpath.evaluate("/domain/name", xml)).isEqualTo("vms_testvm");
        assertThat(xpath.evaluate("/domain/memory", xml)).isEqualTo("256");
        assertThat(xpath.evaluate("/domain/vcpu", xml)).isEqualTo("2");
        assertThat(xpath.evaluate("/domain/os/cmdline", xml)).isEqualTo("console=ttyS0 panic=-1");
        assertThat(xpath.evaluate("/domain/devices/disk[1]/source/@file", xml)).isEqualTo(root.resolve("disk.img").toString());
        assertThat(xpath.evaluate("/domain/devices/disk[1]/target/@dev", xml)).isEqualTo("vda");
        assertThat(xpath.evaluate("/domain/devices/disk[2]/target/@dev", xml)).isEqualTo("vdb");
        assertThat(xpath.evaluate("/domain/devices/disk[2]/target/@bus", xml)).as("KubeVirt's default bus").isEqualTo("virtio");
        assertThat(xpath.evaluate("count(/domain/devices/disk[2]/readonly)", xml)).isEqualTo("1");
        assertThat(xpath.evaluate("/domain/devices/serial/source/@path", xml)).isEqualTo(dir.resolve("console.log").toString());
        assertThat(xpath.evaluate("count(/domain/devices/graphics)", xml)).isEqualTo("0");
        assertThat(xpath.evaluate("count(/domain/features/acpi)", xml)).as("the power button reaches the guest").isEqualTo("1");
        assertThat(xpath.evaluate("count(/domain/devices/interface)", xml)).as("KubeVirt's default pod interface").isEqualTo("1");
        assertThat(xpath.evaluate("/domain/devices/interface/@type", xml)).isEqualTo("user");
        assertThat(xpath.evaluate("/domain/devices/interface/model/@type", xml)).isEqualTo("virtio");
        assertThat(xpath.evaluate("/domain/devices/channel[@type='unix']/target/@name", xml)).as("the guest agent's channel")
                .isEqualTo("org.qemu.guest_agent.0");
        assertThat(xpath.evaluate("/domain/sysinfo/system/entry[@name='serial']", xml)).isEqualTo("SERIAL-<1>");
        assertThat(xpath.evaluate("/domain/os/smbios/@mode", xml)).isEqualTo("sysinfo");
    }

    @Test
    void interfacesAndACloudInitSeedBecomeDevices() throws Exception {
        var vmi = TestGuest.vmi("nics", "/k", "/i");
        var nic = new dev.ferry.api.kubevirt.v1.VmiSpec.Interface();
        nic.name = "default";
        nic.macAddress = "02:00:00:00:00:2a";
        nic.model = "e1000";
        vmi.getSpec().domain.devices.interfaces = java.util.List.of(nic);
        vmi.getSpec().volumes.get(1).persistentVolumeClaim = null;
        vmi.getSpec().volumes.get(1).cloudInitNoCloud = new dev.ferry.api.kubevirt.v1.VmiSpec.CloudInitNoCloud();
        Path seed = java.nio.file.Files.writeString(dir.resolve("seed.iso"), "iso");
        String xml = DomainXml.render(DomainSpec.from(vmi, Map.of("rootdisk", dir, "data", seed), dir.resolve("c.log"), Accelerator.TCG));
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
        var xpath = XPathFactory.newInstance().newXPath();
        assertThat(xpath.evaluate("/domain/devices/interface/mac/@address", doc)).isEqualTo("02:00:00:00:00:2a");
        assertThat(xpath.evaluate("/domain/devices/interface/model/@type", doc)).isEqualTo("e1000");
        assertThat(xpath.evaluate("/domain/devices/disk[2]/source/@file", doc)).as("the seed file is the disk").isEqualTo(seed.toString());
        assertThat(xpath.evaluate("count(/domain/devices/disk[2]/readonly)", doc)).isEqualTo("1");
        nic.macAddress = "02:00:00:00:00:2a'/><evil/>";
        assertThatThrownBy(() -> DomainSpec.from(vmi, Map.of("rootdisk", dir, "data", seed), dir.resolve("c.log"), Accelerator.TCG))
                .hasMessageContaining("is not a MAC address");
    }

    @Test
    void namesAreEscapedAndMissingPiecesAreExplained() {
        assertThat(DomainXml.escape("a'b<c>&\"")).isEqualTo("a&apos;b&lt;c&gt;&amp;&quot;");
        VirtualMachineInstance vmi = vmi("/k", "/i");
        assertThatThrownBy(() -> DomainSpec.from(vmi, Map.of(), dir.resolve("c.log"), Accelerator.TCG))
                .hasMessageContaining("volume rootdisk is not mounted in the launcher");
        vmi.getSpec().domain.memory = null;
        assertThatThrownBy(() -> DomainSpec.from(vmi, Map.of("rootdisk", dir, "data", dir), dir.resolve("c.log"), Accelerator.TCG))
                .hasMessageContaining("spec.domain.memory.guest");
    }
}
