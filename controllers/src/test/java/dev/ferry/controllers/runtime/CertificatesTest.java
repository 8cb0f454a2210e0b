package dev.ferry.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates the controller makes, checked by openssl (the real one) and by the JDK's validator. */
class CertificatesTest {
    @TempDir
    Path dir;

    @Test
    void opensslVerifiesTheChainTheUsesAndTheNames() throws Exception {
        Instant now = Instant.now();
        Certificates.Issued ca = Certificates.authority("ferry-clone-ca", now, Duration.ofDays(3650));
        Certificates.Issued server = Certificates.issue(ca, "cdi-upload-copy", Certificates.Use.SERVER,
                List.of("cdi-upload-copy.vms.svc", "localhost", "127.0.0.1"), now, Duration.ofDays(2));
        Certificates.Issued client = Certificates.issue(ca, "golden/fedora-vms/copy", Certificates.Use.CLIENT, List.of(), now,
                Duration.ofDays(2));
        Files.writeString(dir.resolve("ca.crt"), Certificates.pem(ca.certificate()));
        Files.writeString(dir.resolve("server.crt"), Certificates.pem(server.certificate()));
        Files.writeString(dir.resolve("client.crt"), Certificates.pem(client.certificate()));
        Files.writeString(dir.resolve("client.key"), Certificates.pem(client.key()));

        assertThat(openssl("verify", "-CAfile", "ca.crt", "-purpose", "sslserver", "server.crt")).contains("server.crt: OK");
        assertThat(openssl("verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "client.crt")).contains("client.crt: OK");
        assertThat(openssl("x509", "-in", "server.crt", "-noout", "-ext", "subjectAltName"))
                .contains("DNS:cdi-upload-copy.vms.svc").contains("IP Address:127.0.0.1");
        assertThat(openssl("x509", "-in", "client.crt", "-noout", "-subject")).contains("golden/fedora-vms/copy");
        assertThat(openssl("pkey", "-in", "client.key", "-noout", "-check")).contains("valid");
        server.certificate().verify(ca.certificate().getPublicKey());
        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    private String openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return out;
    }
}
