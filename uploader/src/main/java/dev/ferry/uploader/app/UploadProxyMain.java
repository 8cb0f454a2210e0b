package dev.ferry.uploader.app;

import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerResolver;
import dev.ferry.uploader.proxy.UploadServerTable;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.worker.env.UploadProxyEnv;
import dev.ferry.worker.token.KeyFiles;
import dev.ferry.worker.token.TokenVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** The upload proxy process (one per cluster), configured by its environment ({@link UploadProxyEnv}). */
public final class UploadProxyMain {
    private static final Logger LOG = Logger.getLogger(UploadProxyMain.class.getName());

    private UploadProxyMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        try (UploadProxy proxy = UploadProxy.start(config(System.getenv()))) {
            LOG.info(() -> "upload proxy listening on port " + proxy.port());
            new CountDownLatch(1).await();
        }
    }

    /** A fixed table ({@code ns/pvc=host:port,...}) when given, else cluster DNS. */
    private static UploadServerResolver resolver(UploadProxyEnv env) throws IOException {
        if (env.uploadServers() == null) {
            return UploadServerResolver.clusterServices(env.clusterDomain());
        }
        UploadServerTable table = new UploadServerTable();
        for (String entry : env.uploadServers().split(",")) {
            String[] parts = entry.trim().split("[/=]");
            int colon = parts.length == 3 ? parts[2].lastIndexOf(':') : -1;
            if (colon < 0) {
                throw new IOException("upload server table entries look like ns/pvc=host:port, not '" + entry + "'");
            }
            table.register(parts[0], parts[1], InetSocketAddress.createUnresolved(parts[2].substring(0, colon),
                    Integer.parseInt(parts[2].substring(colon + 1))));
        }
        return table;
    }

    static UploadProxyConfig config(Map<String, String> variables) throws IOException {
        UploadProxyEnv env = UploadProxyEnv.fromEnv(variables);
        return new UploadProxyConfig("0.0.0.0", env.port(), new TokenVerifier(KeyFiles.publicKey(env.tokenPublicKey()),
                Clock.systemUTC()), resolver(env), env.tlsCert() == null ? null : TlsFiles.server(env.tlsCert(), env.tlsKey()),
                env.upstreamPlain() ? null : TlsFiles.client(env.upstreamCa(), false),
                Duration.ofSeconds(env.upstreamDeadlineSeconds()), env.upstreamServerName());
    }
}
