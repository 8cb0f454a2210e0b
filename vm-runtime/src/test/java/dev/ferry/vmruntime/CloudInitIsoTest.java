package dev.ferry.vmruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NoCloud seed ISO read back by independent readers: genisoimage's isoinfo (Joliet and
 * primary directories, file contents, volume id) and util-linux's blkid (the label cloud-init
 * looks for). The guest kernel's iso9660 driver reads it in LauncherMainTest (this host's kernel
 * has none).
 */
class CloudInitIsoTest {
    @TempDir
    Path dir;

    @Test
    void theSeedReadsBackWithItsJolietNamesAndTheCidataLabel() throws Exception {
        Tools.require("isoinfo");
        Tools.require("blkid");
        String userData = "#cloud-config\npassword: ferry\nchpasswd: { expire: False }\n" + "x".repeat(5000) + "\n";
        Path iso = dir.resolve("seed.iso");
        CloudInitIso.write(iso, "cidata", CloudInitIso.seed("vm1.vms", "vm1", userData, "version: 2\n"));
        assertThat(Files.size(iso) % 2048).isZero();
        assertThat(Tools.exec("blkid", "-o", "export", iso.toString()).output()).contains("LABEL=cidata").contains("TYPE=iso9660");
        assertThat(Tools.exec("isoinfo", "-d", "-i", iso.toString()).output()).contains("Volume id: cidata")
                .contains("Joliet with UCS level 3 found");

        assertThat(Tools.exec("isoinfo", "-J", "-l", "-i", iso.toString()).output())
                .contains(" meta-data").contains(" user-data").contains(" network-config");
        assertThat(Tools.exec("isoinfo", "-J", "-x", "/user-data", "-i", iso.toString()).output()).isEqualTo(userData);
        assertThat(Tools.exec("isoinfo", "-J", "-x", "/meta-data", "-i", iso.toString()).output())
                .isEqualTo("instance-id: vm1.vms\nlocal-hostname: vm1\n");
        assertThat(Tools.exec("isoinfo", "-J", "-x", "/network-config", "-i", iso.toString()).output()).isEqualTo("version: 2\n");
        // the primary volume's strict 8.3 names, for readers without Joliet
        assertThat(Tools.exec("isoinfo", "-l", "-i", iso.toString()).output()).contains("USER_DAT.;1").contains("META_DAT.;1");
        assertThat(Tools.exec("isoinfo", "-x", "/USER_DAT.;1", "-i", iso.toString()).output()).isEqualTo(userData);
    }

    @Test
    void anOversizedFileIsRefusedWithItsSize() {
        assertThatThrownBy(() -> CloudInitIso.write(dir.resolve("big.iso"), "cidata",
                Map.of("user-data", new byte[CloudInitIso.MAX_FILE + 1])))
                .hasMessageContaining("user-data").hasMessageContaining(String.valueOf(CloudInitIso.MAX_FILE + 1));
    }
}
