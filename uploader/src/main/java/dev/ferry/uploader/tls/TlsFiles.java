package dev.ferry.uploader.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** TLS contexts from PEM files, as the controller mounts them from Secrets. */
public final class TlsFiles {
    private TlsFiles() {
    }

    /** A server context from a certificate chain and its PKCS#8 key. */
    public static SslContext server(Path certificate, Path key) throws IOException {
        require(certificate, "certificate");
        require(key, "private key");
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use TLS certificate " + certificate + " with key " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * A mutual-TLS server context (a clone target's): its certificate and key, and client
     * certificates chaining to {@code clientCa}. A certificate is optional at the handshake, so a
     * kubelet's HTTPS readiness probe of /healthz succeeds; every other request without the clone's
     * certificate is refused (401) by the handler.
     */
    public static SslContext mutualServer(Path certificate, Path key, Path clientCa) throws IOException {
        require(certificate, "certificate");
        require(key, "private key");
        require(clientCa, "client CA");
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile()).trustManager(clientCa.toFile())
                    .clientAuth(ClientAuth.OPTIONAL).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use TLS certificate " + certificate + ", key " + key + " and client CA " + clientCa
                    + ": " + e.getMessage(), e);
        }
    }

    /** A client context trusting the CA bundle, the JDK's trust store when null, or anything when insecure. */
    public static SslContext client(Path caBundle, boolean insecure) throws IOException {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (insecure) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (caBundle != null) {
            require(caBundle, "CA bundle");
            builder.trustManager(caBundle.toFile());
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use CA bundle " + caBundle + ": " + e.getMessage(), e);
        }
    }

    private static void require(Path file, String what) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("TLS " + what + " " + file + " is missing or unreadable");
        }
    }
}
