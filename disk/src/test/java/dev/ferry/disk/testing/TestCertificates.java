package dev.ferry.disk.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A private CA and a server certificate for 127.0.0.1/localhost signed by it, made with the
 * real openssl, so TLS tests trust nothing the system trusts. The server's certificate and
 * PKCS#8 key are PEM files too, as a Secret would mount them.
 */
public record TestCertificates(Path caCertificate, Path caDirectory, SSLContext serverContext, Path serverCertificate,
        Path serverKey) {
    public static TestCertificates create(Path dir) throws Exception {
        Path ca = Files.createDirectories(dir.resolve("ca"));
        String d = dir.toString();
        Tools.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Ferry Test CA",
                "-keyout", d + "/ca.key", "-out", ca + "/ca.crt");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        Tools.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", d + "/server.key", "-out", d + "/server.csr");
        Tools.run("openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", ca + "/ca.crt", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", d + "/san.ext", "-out", d + "/server.crt");
        Tools.run("openssl", "pkcs12", "-export", "-passout", "pass:ferry", "-inkey", d + "/server.key",
                "-in", d + "/server.crt", "-certfile", ca + "/ca.crt", "-out", d + "/server.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            store.load(in, "ferry".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "ferry".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return new TestCertificates(ca.resolve("ca.crt"), ca, context, dir.resolve("server.crt"),
                dir.resolve("server.key"));
    }

    /** A client certificate for {@code commonName} signed by this CA: PEM certificate and PKCS#8 key under {@code dir}. */
    public Pair client(Path dir, String commonName) {
        String name = commonName.replaceAll("[^A-Za-z0-9]", "_");
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".crt");
        Path caKey = caDirectory.getParent().resolve("ca.key");
        Tools.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + commonName.replace("/", "\\/"), "-keyout", key.toString(),
                "-out", csr.toString());
        Tools.run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCertificate.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-out", cert.toString());
        return new Pair(cert, key);
    }

    /** A certificate and its key, PEM files. */
    public record Pair(Path certificate, Path key) {
    }
}
