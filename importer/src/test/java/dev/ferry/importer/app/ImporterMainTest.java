package dev.ferry.importer.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.worker.ProgressMetrics;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.ImporterEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.FaultyHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer worker as a Pod runs it: environment in, disk at /data, JSON termination message out. */
class ImporterMainTest {
    @TempDir
    Path dir;

    @Test
    void importsIntoTheDataVolumeAndReportsSuccess() throws Exception {
        Path image = Images.scattered(dir, "image.qcow2", "");
        Path data = Files.createDirectories(dir.resolve("data"));
        try (FaultyHttpServer server = FaultyHttpServer.http(dir)) {
            Map<String, String> env = env(server.url("image.qcow2").toString(), data, "128Mi");

            int exit = ImporterMain.run(env);

            assertThat(exit).isZero();
            JsonNode message = termination();
            assertThat(message.get("outcome").asText()).isEqualTo("Succeeded");
            assertThat(message.get("format").asText()).isEqualTo("qcow2");
            assertThat(message.get("diskSize").asLong()).isEqualTo(128L << 20);
            Tools.run("qemu-img", "resize", "-q", image.toString(), "128M");
            Tools.assertIdentical(data.resolve("disk.img"), image);
        }
    }

    @Test
    void notFoundIsATerminalFailureWithItsReason() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (FaultyHttpServer server = FaultyHttpServer.http(dir)) {
            int exit = ImporterMain.run(env(server.url("missing.qcow2").toString(), data, null));

            assertThat(exit).isEqualTo(1);
            JsonNode message = termination();
            assertThat(message.get("outcome").asText()).isEqualTo("Failed");
            assertThat(message.get("reason").asText()).isEqualTo("SourceNotFound");
            assertThat(message.get("retryable").asBoolean()).isFalse();
            assertThat(message.get("message").asText()).contains("HTTP 404");
        }
    }

    @Test
    void blankSourceMakesAnEmptyDiskOfTheRequestedSize() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Map<String, String> env = env("blank:", data, "1Gi");

        assertThat(ImporterMain.run(env)).isZero();

        assertThat(Files.size(data.resolve("disk.img"))).isEqualTo(1L << 30);
        assertThat(Tools.allocated(data.resolve("disk.img"))).isZero();
        assertThat(termination().get("diskSize").asLong()).isEqualTo(1L << 30);
    }

    @Test
    void aBlankBlockVolumeTakesTheDevicesSize() throws Exception {
        // local storage keeps a Block volume as a file of the volume's size, standing in for the device
        Path device = dir.resolve("volume.img");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(device.toFile(), "rw")) {
            file.setLength(64L << 20);
        }
        Map<String, String> env = new ImporterEnv("blank:", ImporterEnv.SourceAccess.NONE, 1,
                ImporterEnv.DEFAULT_STALL_TIMEOUT_SECONDS, DiskTarget.block(device, DiskTarget.KUBEVIRT, null, false),
                new Reporting(0, "", dir.resolve("termination-log"))).toEnv();

        assertThat(ImporterMain.run(env)).as(Files.readString(dir.resolve("termination-log"))).isZero();
        assertThat(termination().get("diskSize").asLong()).isEqualTo(64L << 20);
        assertThat(Tools.allocated(device)).isZero();
    }

    @Test
    void missingConfigurationIsReported() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_TERMINATION_LOG", dir.resolve("termination-log").toString());

        assertThat(ImporterMain.run(env)).isEqualTo(1);
        assertThat(termination().get("message").asText()).isEqualTo("FERRY_SOURCE_URL is not set");
        assertThat(termination().get("reason").asText()).isEqualTo("InvalidArgument");
    }

    @Test
    void metricsEndpointServesCdiProgress() throws Exception {
        TransferProgress progress = new TransferProgress();
        progress.diskTotal(200);
        progress.written(50);
        try (ProgressMetrics metrics = new ProgressMetrics(ProgressMetrics.Kind.IMPORT, new ProgressMetrics.Source(
                progress::percent, progress::sourceBytes, progress::writtenBytes, progress::diskTotal), "uid-1", 0)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("kubevirt_cdi_import_progress_total{ownerUID=\"uid-1\"} 25.0")
                    .contains("ferry_import_disk_bytes_total{ownerUID=\"uid-1\"} 50.0");
        }
    }

    private Map<String, String> env(String url, Path data, String size) {
        return new ImporterEnv(url, ImporterEnv.SourceAccess.NONE, 1, ImporterEnv.DEFAULT_STALL_TIMEOUT_SECONDS,
                DiskTarget.filesystem(data, DiskTarget.KUBEVIRT, size, null, false),
                new Reporting(0, "", dir.resolve("termination-log"))).toEnv();
    }

    private JsonNode termination() throws Exception {
        String text = Files.readString(dir.resolve("termination-log"));
        assertThat(text).endsWith("\n").hasLineCount(1);
        return new ObjectMapper().readTree(text);
    }
}
