package dev.ferry.uploader.proxy;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.client.UploadClient;
import dev.ferry.uploader.client.UploadException;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.uploader.testing.CuttingRelay;
import dev.ferry.uploader.testing.NoLeaks;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's plain-HTTP path (local mode's proxy, a proxy behind a TLS-terminating ingress): the
 * file goes out by sendfile with a hand-written request head, so resuming after a cut and a
 * refusal's answer are checked here as UploadProxyTest checks them over TLS.
 */
@ExtendWith(NoLeaks.class)
class PlainHttpUploadTest {
    private static final String TARGET = "vms/fedora-root";

    @TempDir
    Path dir;
    private final UploadServerTable table = new UploadServerTable();
    private KeyPair keys;
    private UploadProxy proxy;
    private UploadServer server;

    @BeforeEach
    void start() throws Exception {
        Tools.require("qemu-img");
        keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        server = UploadServer.start(new UploadServerConfig("127.0.0.1", 0, dir.resolve("disk.img"), ImportOptions.defaults(),
                TARGET, null, UploadServerConfig.DEFAULT_RESUME_TIMEOUT, null));
        table.register("vms", "fedora-root", new InetSocketAddress("127.0.0.1", server.port()));
        proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0, new TokenVerifier(keys.getPublic(), Clock.systemUTC()),
                table, null, null, Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    @Test
    void aFileSentBySendfileIsResumedAfterACutAndArrivesBitIdentical() throws Exception {
        Path image = Images.random(dir, "r.qcow2", "", 24);
        try (CuttingRelay relay = new CuttingRelay(proxy.port(), 10L << 20)) {
            client(relay.port(), "fedora-root").upload(image, offset -> { });
            assertThat(relay.hasCut()).isTrue();
            assertThat(relay.connections()).isGreaterThan(1);
        }
        assertThat(server.succeeded()).isCompleted();
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void aRefusedUploadSaysWhyAndWritesNothing() throws Exception {
        Path image = Images.random(dir, "r.qcow2", "", 24);
        assertThatThrownBy(() -> client(proxy.port(), "someone-elses-disk").upload(image, offset -> { }))
                .isInstanceOfSatisfying(UploadException.class, e -> assertThat(e.getMessage())
                        .startsWith("HTTP 403").contains("token is for vms/someone-elses-disk"));
        assertThat(dir.resolve("disk.img")).doesNotExist();
        assertThat(server.progress().sourceBytes()).isZero();
    }

    private UploadClient client(int port, String pvc) {
        String token = new TokenIssuer(keys.getPrivate()).issue("vms", pvc);
        return new UploadClient(URI.create("http://127.0.0.1:" + port), () -> token, TARGET, null, false, 5, Duration.ofSeconds(30));
    }
}
