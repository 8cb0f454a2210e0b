package dev.ferry.uploader.server;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.TestCertificates;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.testing.Https;
import dev.ferry.uploader.testing.NoLeaks;
import dev.ferry.uploader.tls.TlsFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real upload server over TLS, real images made by qemu-img, compared bit for bit. */
@ExtendWith(NoLeaks.class)
class UploadServerTest {
    @TempDir
    static Path shared;
    static TestCertificates certs;
    static HttpClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        Tools.require("qemu-img");
        certs = TestCertificates.create(Files.createDirectories(shared.resolve("tls")));
        client = Https.client(certs.caCertificate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw", "qcow2", "qcow2-compressed", "qcow2.gz", "raw.xz"})
    void imagesAreConvertedWhileTheyArrive(String kind) throws Exception {
        Path image = image(kind);
        try (UploadServer server = tlsServer(ImportOptions.defaults())) {
            HttpResponse<String> response = put(server, "/v1beta1/upload", HttpRequest.BodyPublishers.ofFile(image));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(server.succeeded()).isCompleted();
        }
        assertIdentical(dir.resolve("disk.img"), reference(kind));
    }

    @Test
    void asyncAnswersWhenReceivedAndHeadSaysItIsSupported() throws Exception {
        Path image = image("qcow2");
        try (UploadServer server = tlsServer(ImportOptions.defaults())) {
            HttpResponse<Void> head = client.send(request(server, "/v1beta1/upload-async")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(put(server, "/v1beta1/upload-async", HttpRequest.BodyPublishers.ofFile(image)).statusCode())
                    .isEqualTo(200);
            assertThat(server.succeeded().get().virtualSize()).isEqualTo(64L << 20);
        }
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void curlFormUploadWorks() throws Exception {
        Path image = image("qcow2");
        try (UploadServer server = tlsServer(ImportOptions.defaults())) {
            String status = Tools.run("curl", "-sS", "--cacert", certs.caCertificate().toString(), "-o", "/dev/null",
                    "-w", "%{http_code}", "-F", "file=@" + image, url(server, "/v1beta1/upload-form"));
            assertThat(status).isEqualTo("200");
        }
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void anImageLargerThanTheVolumeGets400WithBothSizes() throws Exception {
        Path image = image("qcow2");
        try (UploadServer server = tlsServer(new ImportOptions(false, 16L << 20, null, false))) {
            HttpResponse<String> response = put(server, "/v1beta1/upload", HttpRequest.BodyPublishers.ofFile(image));
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("16 MiB").contains("64 MiB");
            assertThat(server.succeeded()).isNotDone();
        }
    }

    @Test
    void aBadImageFailsClearlyAndAGoodOneMayFollow() throws Exception {
        Path bad = dir.resolve("bad.qcow2");
        byte[] header = new byte[4096];
        System.arraycopy(new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 9}, 0, header, 0, 8);
        Files.write(bad, header);
        Path image = image("raw");
        try (UploadServer server = tlsServer(ImportOptions.defaults())) {
            HttpResponse<String> refused = put(server, "/v1beta1/upload", HttpRequest.BodyPublishers.ofFile(bad));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).containsIgnoringCase("version");
            assertThat(put(server, "/v1beta1/upload", HttpRequest.BodyPublishers.ofFile(image)).statusCode()).isEqualTo(200);
            HttpResponse<String> again = put(server, "/v1beta1/upload", HttpRequest.BodyPublishers.ofFile(image));
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(again.body()).contains("already succeeded");
        }
        assertIdentical(dir.resolve("disk.img"), reference("raw"));
    }

    private UploadServer tlsServer(ImportOptions options) throws Exception {
        return UploadServer.start(UploadServerConfig.loopback(dir.resolve("disk.img"), options)
                .withTls(TlsFiles.server(certs.serverCertificate(), certs.serverKey())));
    }

    private HttpResponse<String> put(UploadServer server, String path, HttpRequest.BodyPublisher body) throws Exception {
        return client.send(request(server, path).PUT(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(UploadServer server, String path) {
        return HttpRequest.newBuilder(URI.create(url(server, path))).timeout(Duration.ofMinutes(2));
    }

    private static String url(UploadServer server, String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    /** The file to upload. */
    private Path image(String kind) {
        Path source = dir.resolve("source");
        return switch (kind) {
            case "raw" -> {
                Path raw = reference("raw");
                Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", Images.scattered(dir, "s.qcow2", "").toString(),
                        raw.toString());
                yield raw;
            }
            case "qcow2" -> Images.scattered(dir, "image.qcow2", "");
            case "qcow2-compressed" -> {
                Path plain = Images.random(dir, "r.qcow2", "", 8);
                Tools.run("qemu-img", "convert", "-c", "-f", "qcow2", "-O", "qcow2", plain.toString(),
                        reference(kind).toString());
                yield reference(kind);
            }
            case "qcow2.gz" -> {
                Path qcow2 = Images.scattered(dir, "gz-inner.qcow2", "");
                Tools.run("sh", "-c", "gzip -c " + qcow2 + " > " + source);
                yield source;
            }
            case "raw.xz" -> {
                Path raw = reference("raw");
                Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", Images.scattered(dir, "x.qcow2", "").toString(),
                        raw.toString());
                Tools.run("sh", "-c", "xz -T2 -1 -c " + raw + " > " + source);
                yield source;
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** What the disk must equal. */
    private Path reference(String kind) {
        return switch (kind) {
            case "qcow2.gz" -> dir.resolve("gz-inner.qcow2");
            case "raw", "raw.xz" -> dir.resolve("reference.raw");
            case "qcow2" -> dir.resolve("image.qcow2");
            default -> dir.resolve("reference-" + kind);
        };
    }
}
