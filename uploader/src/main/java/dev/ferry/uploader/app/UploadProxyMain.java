package dev.ferry.uploader.app;

import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerResolver;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.uploader.token.KeyFiles;
import dev.ferry.uploader.token.TokenVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The upload proxy process (one per cluster). Environment: {@code FERRY_PROXY_PORT} (8443),
 * {@code FERRY_TLS_CERT} / {@code FERRY_TLS_KEY} (its own certificate), {@code FERRY_TOKEN_PUBLIC_KEY}
 * (verifies upload tokens), {@code FERRY_UPSTREAM_CA} (the upload servers' CA; plain HTTP
 * upstream when {@code FERRY_UPSTREAM_PLAIN=true}), {@code FERRY_CLUSTER_DOMAIN} (cluster.local),
 * {@code FERRY_UPSTREAM_DEADLINE_SECONDS} (60).
 */
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

    static UploadProxyConfig config(Map<String, String> env) throws IOException {
        String publicKey = env.get("FERRY_TOKEN_PUBLIC_KEY");
        if (publicKey == null) {
            throw new IOException("FERRY_TOKEN_PUBLIC_KEY is not set: the proxy needs the token signing public key");
        }
        String cert = env.get("FERRY_TLS_CERT");
        String key = env.get("FERRY_TLS_KEY");
        boolean plainUpstream = Boolean.parseBoolean(env.getOrDefault("FERRY_UPSTREAM_PLAIN", "false"));
        String upstreamCa = env.get("FERRY_UPSTREAM_CA");
        return new UploadProxyConfig("0.0.0.0", Integer.parseInt(env.getOrDefault("FERRY_PROXY_PORT", "8443")),
                new TokenVerifier(KeyFiles.publicKey(Path.of(publicKey)), Clock.systemUTC()),
                UploadServerResolver.clusterServices(env.getOrDefault("FERRY_CLUSTER_DOMAIN", "cluster.local")),
                cert == null ? null : TlsFiles.server(Path.of(cert), Path.of(key)),
                plainUpstream ? null : TlsFiles.client(upstreamCa == null ? null : Path.of(upstreamCa), false),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("FERRY_UPSTREAM_DEADLINE_SECONDS",
                        String.valueOf(UploadProxyConfig.DEFAULT_UPSTREAM_DEADLINE.toSeconds())))));
    }
}
