package dev.ferry.uploader.app;

import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerResolver;
import dev.ferry.uploader.proxy.UploadServerTable;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.uploader.token.KeyFiles;
import dev.ferry.uploader.token.TokenVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * {@code FERRY_UPSTREAM_DEADLINE_SECONDS} (60), {@code FERRY_UPSTREAM_SERVER_NAME} (the name in the
 * upload servers' shared certificate, {@value UploadProxyConfig#DEFAULT_UPSTREAM_SERVER_NAME}), and {@code FERRY_UPLOAD_SERVERS}
 * ({@code ns/pvc=host:port,...}: a fixed table instead of cluster DNS, for one machine).
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

    private static UploadServerResolver resolver(Map<String, String> env) throws IOException {
        String servers = env.get("FERRY_UPLOAD_SERVERS");
        if (servers == null || servers.isBlank()) {
            return UploadServerResolver.clusterServices(env.getOrDefault("FERRY_CLUSTER_DOMAIN", "cluster.local"));
        }
        UploadServerTable table = new UploadServerTable();
        for (String entry : servers.split(",")) {
            String[] parts = entry.trim().split("[/=]");
            int colon = parts.length == 3 ? parts[2].lastIndexOf(':') : -1;
            if (colon < 0) {
                throw new IOException("FERRY_UPLOAD_SERVERS entries look like ns/pvc=host:port, not '" + entry + "'");
            }
            table.register(parts[0], parts[1], InetSocketAddress.createUnresolved(parts[2].substring(0, colon),
                    Integer.parseInt(parts[2].substring(colon + 1))));
        }
        return table;
    }

    static UploadProxyConfig config(Map<String, String> env) throws IOException {
        String publicKey = env.get("FERRY_TOKEN_PUBLIC_KEY");
        if (publicKey == null) {
            throw new IOException("FERRY_TOKEN_PUBLIC_KEY is not set: the proxy needs the token signing public key");
        }
        String cert = env.get("FERRY_TLS_CERT");
        String key = env.get("FERRY_TLS_KEY");
        if ((cert == null) != (key == null)) {
            throw new IOException("set both FERRY_TLS_CERT and FERRY_TLS_KEY, or neither for plain HTTP");
        }
        boolean plainUpstream = Boolean.parseBoolean(env.getOrDefault("FERRY_UPSTREAM_PLAIN", "false"));
        String upstreamCa = env.get("FERRY_UPSTREAM_CA");
        return new UploadProxyConfig("0.0.0.0", Integer.parseInt(env.getOrDefault("FERRY_PROXY_PORT", "8443")),
                new TokenVerifier(KeyFiles.publicKey(Path.of(publicKey)), Clock.systemUTC()),
                resolver(env),
                cert == null ? null : TlsFiles.server(Path.of(cert), Path.of(key)),
                plainUpstream ? null : TlsFiles.client(upstreamCa == null ? null : Path.of(upstreamCa), false),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("FERRY_UPSTREAM_DEADLINE_SECONDS",
                        String.valueOf(UploadProxyConfig.DEFAULT_UPSTREAM_DEADLINE.toSeconds())))),
                env.getOrDefault("FERRY_UPSTREAM_SERVER_NAME", UploadProxyConfig.DEFAULT_UPSTREAM_SERVER_NAME));
    }
}
