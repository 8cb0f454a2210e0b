package dev.ferry.uploader.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.testing.NoLeaks;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.env.UploadServerEnv;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The upload server as a worker: its environment in, disk at /data/disk.img, one JSON line out, exit 0. */
@ExtendWith(NoLeaks.class)
class UploadServerMainTest {
    @TempDir
    Path dir;

    @Test
    void servesUntilAnUploadSucceedsThenReportsIt() throws Exception {
        Tools.require("qemu-img");
        Path image = Images.scattered(dir, "image.qcow2", "");
        Path data = Files.createDirectories(dir.resolve("data"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, String> env = new UploadServerEnv("127.0.0.1", port, null, null, null, 600, null,
                DiskTarget.filesystem(data, DiskTarget.KUBEVIRT, "128Mi", null, false),
                new Reporting(0, "", dir.resolve("termination-log"))).toEnv();
        CompletableFuture<Integer> worker = CompletableFuture.supplyAsync(() -> UploadServerMain.run(env));

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI upload = URI.create("http://127.0.0.1:" + port + "/v1beta1/upload");
        URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(upload)
                .POST(HttpRequest.BodyPublishers.ofFile(image)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(worker.get()).isZero();
        String result = Files.readString(dir.resolve("termination-log"));
        assertThat(result).contains("\"outcome\":\"Succeeded\"").contains("\"format\":\"qcow2\"")
                .contains("\"message\":\"Upload complete\"").contains("\"diskSize\":134217728");
        // the volume is larger than the image: qemu-img compare also checks the grown tail reads as zeros
        assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", data.resolve("disk.img").toString(),
                image.toString()).exitCode()).isZero();
    }

    @Test
    void aBadConfigurationIsReportedAsTheResult() throws Exception {
        Map<String, String> env = Map.of("FERRY_DATA_PATH", dir.toString(), "FERRY_TLS_CERT", dir.resolve("missing.crt").toString(), "FERRY_METRICS_PORT", "-1",
                "FERRY_TERMINATION_LOG", dir.resolve("termination-log").toString());
        assertThat(UploadServerMain.run(env)).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("termination-log"))).contains("\"outcome\":\"Failed\"")
                .contains("set both FERRY_TLS_CERT and FERRY_TLS_KEY");
    }
}
