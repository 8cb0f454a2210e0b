package dev.ferry.worker.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each worker's environment survives toEnv → fromEnv unchanged, and a bad value names its variable. */
class EnvironmentRoundTripTest {
    private static final Reporting REPORTING = new Reporting(9090, "uid-1", Path.of("/tmp/termination"));

    @Test
    void importer() {
        ImporterEnv env = new ImporterEnv("https://example.test/disk.qcow2",
                new ImporterEnv.SourceAccess(Path.of("/s"), Path.of("/c"), true, List.of("A: b", "C: d"), "https://s3.test", "arm64"),
                7, 30, DiskTarget.filesystem(Path.of("/data"), "kubevirt", "10Gi", "sha256:00", true), REPORTING);
        assertThat(ImporterEnv.fromEnv(env.toEnv())).isEqualTo(env);
    }

    @Test
    void importerIntoABlockDevice() {
        ImporterEnv env = new ImporterEnv("blank:", ImporterEnv.SourceAccess.NONE, 5, 60,
                DiskTarget.block(Path.of("/dev/ferry-block"), "kubevirt", null, false), REPORTING);
        Map<String, String> variables = env.toEnv();
        assertThat(variables).doesNotContainKey("FERRY_DATA_PATH").containsEntry("FERRY_BLOCK_PATH", "/dev/ferry-block");
        assertThat(ImporterEnv.fromEnv(variables)).isEqualTo(env);
        assertThat(ImporterEnv.fromEnv(variables).target().destination()).isEqualTo(Path.of("/dev/ferry-block"));
    }

    @Test
    void uploadServer() {
        UploadServerEnv env = new UploadServerEnv("127.0.0.1", 8443, Path.of("/tls/tls.crt"), Path.of("/tls/tls.key"), "ns/pvc",
                600, new UploadServerEnv.Clone(Path.of("/tls/ca.crt"), "src/a-dst/b"),
                DiskTarget.filesystem(Path.of("/data"), "archive", null, null, false), REPORTING);
        assertThat(UploadServerEnv.fromEnv(env.toEnv())).isEqualTo(env);
        assertThat(UploadServerEnv.uploadTargetOf(env.toEnv())).isEqualTo("ns/pvc");
        assertThat(env.target().destination()).isEqualTo(Path.of("/data"));
    }

    @Test
    void cloneSource() {
        CloneSourceEnv env = new CloneSourceEnv(Path.of("/dev/ferry-block"), true, "kubevirt", "https://cdi-upload-b.dst.svc:443",
                Path.of("/c/tls.crt"), Path.of("/c/tls.key"), Path.of("/c/ca.crt"), 9, REPORTING);
        assertThat(CloneSourceEnv.fromEnv(env.toEnv())).isEqualTo(env);
        assertThatThrownBy(() -> UploadServerEnv.fromEnv(Map.of("FERRY_CLONE_CLIENT_NAME", "x")))
                .hasMessageContaining("clone mode needs both");
    }

    @Test
    void sourcePoller() {
        SourcePollerEnv env = new SourcePollerEnv("docker://registry.test:5000/os/fedora:40",
                new ImporterEnv.SourceAccess(Path.of("/s"), null, true, List.of(), null, "amd64"), REPORTING);
        assertThat(SourcePollerEnv.fromEnv(env.toEnv())).isEqualTo(env);
    }

    @Test
    void uploadProxy() {
        UploadProxyEnv env = new UploadProxyEnv(8443, Path.of("/c"), Path.of("/k"), Path.of("/pub"), Path.of("/ca"), true,
                "cluster.example", 30, "server", "ns/pvc=127.0.0.1:1234");
        assertThat(UploadProxyEnv.fromEnv(env.toEnv())).isEqualTo(env);
    }

    @Test
    void controller() {
        ControllerEnv env = new ControllerEnv("ferry-system", "replica-1", new WorkerImages("i:1", "u:1", "l:1", "c:1", "e:1"), "tls",
                Path.of("/key"), Path.of("/c"), Path.of("/k"), Path.of("/ca"), 8443, 8080, List.of("127.0.0.1", "reg:5000"), "qemu");
        assertThat(ControllerEnv.fromEnv(env.toEnv(), "host")).isEqualTo(env);
        assertThat(ControllerEnv.fromEnv(Map.of("FERRY_TOKEN_KEY", "/key"), "host").images()).isEqualTo(WorkerImages.DEFAULTS);
    }

    @Test
    void nodeHandler() {
        NodeHandlerEnv env = new NodeHandlerEnv("node-1", 100, 120, 40, 64);
        assertThat(NodeHandlerEnv.fromEnv(env.toEnv())).isEqualTo(env);
        assertThat(NodeHandlerEnv.fromEnv(Map.of("NODE_NAME", "n"))).isEqualTo(NodeHandlerEnv.defaults("n"));
    }

    @Test
    void launcher() {
        LauncherEnv env = new LauncherEnv("{\"spec\":{}}", null, Map.of("root-disk", Path.of("/disks/root"), "data", Path.of("/dev/data")),
                Path.of("/console/console.log"), "qemu", Path.of("/run/acc"), null, Path.of("/run/ferry"), true,
                List.of("127.0.0.1"), REPORTING);
        Map<String, String> variables = env.toEnv();
        assertThat(variables).containsEntry("FERRY_VOLUME_ROOT_DISK", "/disks/root");
        assertThat(LauncherEnv.fromEnv(variables)).isEqualTo(env);
    }

    @Test
    void aNodeAssignsPortsAndTheTerminationLog() {
        UploadServerEnv env = new UploadServerEnv("0.0.0.0", 8443, null, null, "ns/pvc", 600, null,
                DiskTarget.filesystem(Path.of("/data"), "kubevirt", null, null, false), REPORTING);
        UploadServerEnv local = UploadServerEnv.fromEnv(new NodeAssignment(Path.of("/x/log"), 4001, 4002, "127.0.0.1")
                .applyTo(env.toEnv()));
        assertThat(local.port()).isEqualTo(4002);
        assertThat(local.host()).isEqualTo("127.0.0.1");
        assertThat(local.reporting()).isEqualTo(new Reporting(4001, "uid-1", Path.of("/x/log")));
    }

    @Test
    void badValuesNameTheirVariable() {
        assertThatThrownBy(() -> ImporterEnv.fromEnv(Map.of())).isInstanceOf(InvalidEnvironmentException.class)
                .hasMessage("FERRY_SOURCE_URL is not set");
        assertThatThrownBy(() -> ImporterEnv.fromEnv(Map.of("FERRY_SOURCE_URL", "blank:", "FERRY_RETRIES", "many")))
                .hasMessage("FERRY_RETRIES: 'many' is not a whole number");
        assertThatThrownBy(() -> UploadServerEnv.fromEnv(Map.of("FERRY_TLS_CERT", "/c")))
                .hasMessageContaining("set both FERRY_TLS_CERT and FERRY_TLS_KEY");
        assertThatThrownBy(() -> ControllerEnv.fromEnv(Map.of(), "h")).hasMessageContaining("FERRY_TOKEN_KEY is not set");
        assertThat(Reporting.terminationLog(Map.of())).isEqualTo(Path.of("/dev/termination-log"));
    }
}
