package dev.ferry.cli;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.TestCertificates;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerTable;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.worker.token.KeyFiles;
import dev.ferry.worker.token.TokenVerifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `ferry image-upload` and `ferry upload-token` against a real proxy and upload server over TLS. */
class ImageUploadCommandTest {
    @TempDir
    Path dir;
    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    @Test
    void uploadsThroughTheProxyWithATokenFromUploadToken() throws Exception {
        Tools.require("qemu-img");
        TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
        KeyPair keys = KeyFiles.generate(dir.resolve("keys"));
        Path image = Images.scattered(dir, "image.qcow2", "");
        UploadServerTable table = new UploadServerTable();
        try (UploadServer server = UploadServer.start(UploadServerConfig.loopback(dir.resolve("disk.img"),
                ImportOptions.defaults()).withTarget("vms/fedora"));
             UploadProxy proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0,
                     new TokenVerifier(keys.getPublic(), Clock.systemUTC()), table,
                     TlsFiles.server(certs.serverCertificate(), certs.serverKey()), null, Duration.ofSeconds(10)))) {
            table.register("vms", "fedora", new InetSocketAddress("127.0.0.1", server.port()));

            assertThat(run("upload-token", "--signing-key", dir.resolve("keys/token.key").toString(), "-n", "vms",
                    "--pvc", "fedora")).isZero();
            Path tokenFile = Files.writeString(dir.resolve("token"), out.toString());

            int exit = run("image-upload", "dv", "fedora", "-n", "vms", "--image-path", image.toString(),
                    "--uploadproxy-url", "https://127.0.0.1:" + proxy.port(), "--insecure",
                    "--token-file", tokenFile.toString(), "--no-progress");
            assertThat(exit).as(err.toString()).isZero();
            assertThat(err.toString()).contains("uploaded ").contains(" to vms/fedora in ");
        }
        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void missingOrUnsupportedArgumentsAreExplained() throws Exception {
        Path image = Files.write(dir.resolve("x.raw"), new byte[512]);
        assertThat(run("image-upload", "dv", "fedora", "--image-path", image.toString(), "--size", "1Gi")).isEqualTo(1);
        assertThat(err.toString()).contains("--uploadproxy-url is required");
        assertThat(run("image-upload", "pvc", "fedora", "--image-path", image.toString(), "--uploadproxy-url",
                "https://127.0.0.1:1")).isEqualTo(1);
        assertThat(err.toString()).contains("Ferry uploads into DataVolumes: use `dv fedora`");
        assertThat(run("image-upload", "--image-path", image.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("`ferry image-upload dv NAME ...`");
    }

    private int run(String... args) {
        CommandLine commandLine = Ferry.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(out, true));
        return commandLine.execute(args);
    }
}
