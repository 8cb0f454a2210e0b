package dev.ferry.importer.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.disk.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry token service for the Bearer flow: checks Basic credentials and issues RS256 JWTs
 * (certificate in {@code x5c}) that docker-registry verifies against {@link #certificate()}.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "ferry-registry";
    public static final String ISSUER = "ferry-test-tokens";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Path certificateFile;
    private final String credentials;
    private final AtomicInteger issued = new AtomicInteger();

    public TokenServer(Path dir, String user, String password) throws Exception {
        Path keyPem = dir.resolve("token.key");
        certificateFile = dir.resolve("token.crt");
        Tools.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ferry-token",
                "-keyout", keyPem.toString(), "-out", certificateFile.toString());
        Path keyDer = dir.resolve("token.der");
        Tools.run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", keyPem.toString(), "-outform", "DER",
                "-out", keyDer.toString());
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keyDer)));
        try (InputStream in = Files.newInputStream(certificateFile)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        credentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificate() {
        return certificateFile;
    }

    public int issued() {
        return issued.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!credentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String scope = "";
            for (String param : exchange.getRequestURI().getRawQuery().split("&")) {
                if (param.startsWith("scope=")) {
                    scope = URLDecoder.decode(param.substring(6), StandardCharsets.UTF_8);
                }
            }
            String[] parts = scope.split(":");
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("token", grant(parts[1], "pull")));
            issued.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** A token granting {@code actions} on every repository named in a push test ({@code *} is not allowed). */
    String token(String... actions) throws Exception {
        return grant("images/containerdisk", actions);
    }

    private String grant(String repository, String... actions) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", "ferry").put("aud", SERVICE)
                .put("exp", now + 300).put("nbf", now - 60).put("iat", now).put("jti", UUID.randomUUID().toString());
        ObjectNode access = claims.putArray("access").addObject().put("type", "repository").put("name", repository);
        for (String action : actions) {
            access.withArray("actions").add(action);
        }
        String signingInput = URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + URL.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + URL.encodeToString(signature.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
