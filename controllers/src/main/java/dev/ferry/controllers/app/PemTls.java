package dev.ferry.controllers.app;

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

/** A JDK TLS context from PEM files as Secrets mount them: certificate chain, PKCS#8 key, and a CA for client certificates. */
final class PemTls {
    private PemTls() {
    }

    static SSLContext context(Path certificate, Path key, Path clientCa) throws IOException {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            Collection<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(certificate)) {
                chain = x509.generateCertificates(in);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", KeyFiles.privateKey(key), new char[0], chain.toArray(new Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, new char[0]);
            TrustManagerFactory trust = null;
            if (clientCa != null) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                int n = 0;
                try (InputStream in = Files.newInputStream(clientCa)) {
                    for (Certificate ca : x509.generateCertificates(in)) {
                        cas.setCertificateEntry("ca-" + n++, ca);
                    }
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(cas);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use TLS files " + certificate + " / " + key + ": " + e.getMessage(), e);
        }
    }
}
