package dev.ferry.uploader.proxy;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.TestCertificates;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.client.UploadClient;
import dev.ferry.uploader.client.UploadException;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.uploader.testing.CuttingRelay;
import dev.ferry.uploader.testing.Https;
import dev.ferry.uploader.testing.NoLeaks;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import dev.ferry.worker.token.UploadToken;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Client → proxy → upload server, TLS on both hops, tokens checked, disks compared bit for bit. */
@ExtendWith(NoLeaks.class)
class UploadProxyTest {
    private static final String TARGET = "vms/fedora-root";

    @TempDir
    static Path shared;
    static TestCertificates certs;
    static SSLContext clientTls;
    static KeyPair keys;
    static SslContext serverTls;
    static SslContext upstreamTls;

    @TempDir
    Path dir;
    private final UploadServerTable table = new UploadServerTable();
    private UploadProxy proxy;
    private UploadServer server;

    @BeforeAll
    static void setUp() throws Exception {
        Tools.require("qemu-img");
        certs = TestCertificates.create(Files.createDirectories(shared.resolve("tls")));
        clientTls = Https.trusting(certs.caCertificate());
        keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        serverTls = TlsFiles.server(certs.serverCertificate(), certs.serverKey());
        upstreamTls = TlsFiles.client(certs.caCertificate(), false);
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anImageUploadedThroughTheProxyIsBitIdentical() throws Exception {
        Path image = Images.scattered(dir, "image.qcow2", "cluster_size=65536");
        startServer(0);
        startProxy(Duration.ofSeconds(10));
        client(proxy.port(), TARGET).upload(image, offset -> { });
        assertThat(server.succeeded()).isCompleted();
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void aDroppedConnectionIsResumedAndTheDiskIsStillExact() throws Exception {
        Path qcow2 = Images.random(dir, "r.qcow2", "", 24);
        Path image = dir.resolve("image.raw");
        Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), image.toString());
        startServer(0);
        startProxy(Duration.ofSeconds(10));
        try (CuttingRelay relay = new CuttingRelay(proxy.port(), 20L << 20)) {
            client(relay.port(), TARGET).upload(image, offset -> { });
            assertThat(relay.hasCut()).isTrue();
            assertThat(relay.connections()).isGreaterThan(1);
        }
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void forgedExpiredAndOtherTargetTokensAreRefusedBeforeAnyByteIsWritten() throws Exception {
        startServer(0);
        startProxy(Duration.ofSeconds(10));
        String forged = new TokenIssuer(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate())
                .issue("vms", "fedora-root");
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new TokenIssuer(keys.getPrivate(), anHourAgo, UploadToken.LIFETIME).issue("vms", "fedora-root");
        String otherPvc = new TokenIssuer(keys.getPrivate()).issue("vms", "someone-elses-disk");

        assertThat(put(forged, null)).startsWith("401").contains("signature is not valid");
        assertThat(put(expired, null)).startsWith("401").contains("expired");
        assertThat(put(null, null)).startsWith("401").contains("Authorization: Bearer");
        assertThat(put(otherPvc, TARGET)).startsWith("403").contains("token is for vms/someone-elses-disk");
        assertThat(dir.resolve("disk.img")).doesNotExist();
        assertThat(server.progress().sourceBytes()).isZero();
    }

    @Test
    void theProxyWaitsForAnUploadServerThatIsStillStarting() throws Exception {
        Path image = Images.scattered(dir, "image.qcow2", "");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        table.register("vms", "fedora-root", new InetSocketAddress("127.0.0.1", port));
        startProxy(Duration.ofSeconds(30));
        // the server comes up 1.5 s after the upload began
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> {
            try {
                startServer(port);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, CompletableFuture.delayedExecutor(1500, java.util.concurrent.TimeUnit.MILLISECONDS));
        client(proxy.port(), TARGET).upload(image, offset -> { });
        late.join();
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void theProxySaysWhichServerNeverBecameReady() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        table.register("vms", "fedora-root", new InetSocketAddress("127.0.0.1", port));
        startProxy(Duration.ofSeconds(1));
        Path image = Files.write(dir.resolve("small.raw"), new byte[4096]);
        assertThatThrownBy(() -> client(proxy.port(), TARGET).upload(image, offset -> { }))
                .isInstanceOf(UploadException.class)
                .hasMessageContaining("503")
                .hasMessageContaining("127.0.0.1:" + port + " is not ready after 1 s")
                .hasMessageContaining("connection refused");
    }

    @Test
    void upstreamCertificatesAreCheckedAgainstTheSharedServerName() throws Exception {
        Path image = Files.write(dir.resolve("small.raw"), new byte[1 << 20]);
        startServer(0);
        proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0, new TokenVerifier(keys.getPublic(), Clock.systemUTC()),
                table, TlsFiles.server(certs.serverCertificate(), certs.serverKey()), upstreamTls, Duration.ofSeconds(5),
                "ferry-upload-server"));
        assertThatThrownBy(() -> client(proxy.port(), TARGET).upload(image, offset -> { }))
                .isInstanceOf(UploadException.class).hasMessageContaining("502").hasMessageContaining("TLS handshake");
        proxy.close();
        proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0, new TokenVerifier(keys.getPublic(), Clock.systemUTC()),
                table, TlsFiles.server(certs.serverCertificate(), certs.serverKey()), upstreamTls, Duration.ofSeconds(5),
                "localhost"));
        client(proxy.port(), TARGET).upload(image, offset -> { });
        assertThat(Files.readAllBytes(dir.resolve("disk.img"))).isEqualTo(Files.readAllBytes(image));
    }

    private void startServer(int port) throws Exception {
        server = UploadServer.start(new UploadServerConfig("127.0.0.1", port, dir.resolve("disk.img"),
                ImportOptions.defaults(), TARGET, serverTls, UploadServerConfig.DEFAULT_RESUME_TIMEOUT, null));
        table.register("vms", "fedora-root", new InetSocketAddress("127.0.0.1", server.port()));
    }

    private void startProxy(Duration deadline) throws Exception {
        proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0,
                new TokenVerifier(keys.getPublic(), Clock.systemUTC()), table,
                TlsFiles.server(certs.serverCertificate(), certs.serverKey()), upstreamTls, deadline));
    }

    private UploadClient client(int port, String target) {
        AtomicReference<String> token = new AtomicReference<>(new TokenIssuer(keys.getPrivate()).issue("vms", "fedora-root"));
        return new UploadClient(URI.create("https://127.0.0.1:" + port), token::get, target, clientTls, false, 5,
                Duration.ofSeconds(30));
    }

    /** A PUT with a 1 MiB body; returns "STATUS body". */
    private String put(String token, String target) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port()
                + "/v1beta1/upload")).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1 << 20]));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (target != null) {
            request.header("X-Ferry-Upload-Target", target);
        }
        HttpResponse<String> response = HttpClient.newBuilder().sslContext(clientTls).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
