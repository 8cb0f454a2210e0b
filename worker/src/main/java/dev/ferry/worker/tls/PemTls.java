package dev.ferry.worker.tls;

import dev.ferry.worker.token.KeyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JDK TLS context from PEM files as Secrets mount them: this side's certificate chain and PKCS#8
 * key, and the CA it trusts for the other side — a server's clients (the aggregator, a clone
 * source) or a client's server.
 */
public final class PemTls {
    private PemTls() {
    }

    /** {@code certificate}/{@code key} may be null (a client without one); {@code trusted} null is the JDK's trust store. */
    public static SSLContext context(Path certificate, Path key, Path trusted) throws IOException {
        try {
            KeyManagerFactory keyManagers = null;
            if (certificate != null) {
                Collection<? extends Certificate> chain = certificates(certificate);
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("self", KeyFiles.privateKey(key), new char[0], chain.toArray(new Certificate[0]));
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, new char[0]);
            }
            TrustManagerFactory trust = null;
            if (trusted != null) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                int n = 0;
                for (Certificate ca : certificates(trusted)) {
                    cas.setCertificateEntry("ca-" + n++, ca);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(cas);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use TLS files " + certificate + " / " + key + " / " + trusted + ": " + e.getMessage(), e);
        }
    }

    public static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }
}
