package dev.ferry.worker.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aTokenGrantsOneUploadToOnePvc() throws Exception {
        KeyPair keys = KeyFiles.generate(dir);
        String token = new TokenIssuer(keys.getPrivate(), clock, UploadToken.LIFETIME).issue("vms", "fedora-root");
        UploadToken granted = new TokenVerifier(KeyFiles.publicKey(dir.resolve("token.pub")), clock).verify(token);
        assertThat(granted.target()).isEqualTo("vms/fedora-root");
        assertThat(granted.operation()).isEqualTo(UploadToken.UPLOAD);
        assertThat(granted.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void keysMadeByOpensslWork() throws Exception {
        Tools.run("openssl", "genpkey", "-algorithm", "ed25519", "-out", dir.resolve("ed.key").toString());
        Tools.run("openssl", "pkey", "-in", dir.resolve("ed.key").toString(), "-pubout", "-out", dir.resolve("ed.pub").toString());
        Tools.run("openssl", "genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir.resolve("rsa.key").toString());
        Tools.run("openssl", "pkey", "-in", dir.resolve("rsa.key").toString(), "-pubout", "-out", dir.resolve("rsa.pub").toString());
        for (String kind : new String[] {"ed", "rsa"}) {
            String token = new TokenIssuer(KeyFiles.privateKey(dir.resolve(kind + ".key")), clock, UploadToken.LIFETIME)
                    .issue("ns", "pvc");
            assertThat(new TokenVerifier(KeyFiles.publicKey(dir.resolve(kind + ".pub")), clock).verify(token).target())
                    .isEqualTo("ns/pvc");
        }
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        KeyPair proxyKeys = generate();
        String forged = new TokenIssuer(generate().getPrivate(), clock, UploadToken.LIFETIME).issue("ns", "pvc");
        assertThatThrownBy(() -> new TokenVerifier(proxyKeys.getPublic(), clock).verify(forged))
                .isInstanceOf(TokenException.class).hasMessageContaining("signature is not valid")
                .extracting(e -> ((TokenException) e).status()).isEqualTo(401);
    }

    @Test
    void changedClaimsBreakTheSignature() throws Exception {
        KeyPair keys = generate();
        String token = new TokenIssuer(keys.getPrivate(), clock, UploadToken.LIFETIME).issue("ns", "pvc");
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("pvc", "pwn");
        String tampered = parts[0] + "." + Jws.ENCODER.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThatThrownBy(() -> new TokenVerifier(keys.getPublic(), clock).verify(tampered))
                .hasMessageContaining("signature is not valid");
    }

    @Test
    void anExpiredTokenIsRefusedWithItsExpiry() throws Exception {
        KeyPair keys = generate();
        String token = new TokenIssuer(keys.getPrivate(), clock, UploadToken.LIFETIME).issue("ns", "pvc");
        Clock later = Clock.offset(clock, Duration.ofMinutes(6));
        assertThatThrownBy(() -> new TokenVerifier(keys.getPublic(), later).verify(token))
                .hasMessageContaining("expired at 2026-11-22T10:05:00Z").hasMessageContaining("request a new token");
        assertThat(new TokenVerifier(keys.getPublic(), Clock.offset(clock, Duration.ofSeconds(320))).verify(token))
                .as("30 s of clock skew is tolerated").isNotNull();
    }

    @Test
    void aTokenForAnotherOperationIsForbidden() throws Exception {
        KeyPair keys = generate();
        String clone = new TokenIssuer(keys.getPrivate(), clock, UploadToken.LIFETIME)
                .sign(new UploadToken("ns", "pvc", "Clone", NOW, NOW.plusSeconds(60)));
        assertThatThrownBy(() -> new TokenVerifier(keys.getPublic(), clock).verify(clone))
                .hasMessageContaining("grants 'Clone', not an upload")
                .extracting(e -> ((TokenException) e).status()).isEqualTo(403);
    }

    @Test
    void garbageIsRefusedWithoutDecodingMuch() throws Exception {
        TokenVerifier verifier = new TokenVerifier(generate().getPublic(), clock);
        assertThatThrownBy(() -> verifier.verify(null)).hasMessageContaining("Authorization: Bearer");
        assertThatThrownBy(() -> verifier.verify("abc")).hasMessageContaining("not a signed token");
        assertThatThrownBy(() -> verifier.verify("a".repeat(5000))).hasMessageContaining("longer than 4096");
        assertThatThrownBy(() -> verifier.verify("!!.??.xx")).hasMessageContaining("not valid base64url JSON");
        String none = Jws.ENCODER.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> verifier.verify(none + ".e30.")).hasMessageContaining("signed with 'none'");
    }

    private static KeyPair generate() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }
}
