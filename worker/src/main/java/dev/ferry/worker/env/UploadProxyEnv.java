package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.Map;

/**
 * The upload proxy's environment (one per cluster).
 *
 * @param port where it listens
 * @param tlsCert its certificate (plain HTTP when both files are null)
 * @param tlsKey its key
 * @param tokenPublicKey the public key upload tokens are verified with (PEM)
 * @param upstreamCa the upload servers' CA, or null for the JDK's trust store
 * @param upstreamPlain reach upload servers over plain HTTP
 * @param clusterDomain the cluster DNS domain upload server Services live under
 * @param upstreamDeadlineSeconds how long to keep trying an upload server that does not answer yet
 * @param upstreamServerName the name in the upload servers' shared certificate
 * @param uploadServers a fixed routing table {@code ns/pvc=host:port,...} instead of cluster DNS, or null
 */
public record UploadProxyEnv(int port, Path tlsCert, Path tlsKey, Path tokenPublicKey, Path upstreamCa, boolean upstreamPlain,
        String clusterDomain, long upstreamDeadlineSeconds, String upstreamServerName, String uploadServers) {
    public static final int DEFAULT_PORT = 8443;
    public static final long DEFAULT_UPSTREAM_DEADLINE_SECONDS = 60;
    public static final String DEFAULT_UPSTREAM_SERVER_NAME = "ferry-upload-server";
    private static final String PORT = "FERRY_PROXY_PORT";
    private static final String TLS_CERT = "FERRY_TLS_CERT";
    private static final String TLS_KEY = "FERRY_TLS_KEY";
    private static final String TOKEN_PUBLIC_KEY = "FERRY_TOKEN_PUBLIC_KEY";
    private static final String UPSTREAM_CA = "FERRY_UPSTREAM_CA";
    private static final String UPSTREAM_PLAIN = "FERRY_UPSTREAM_PLAIN";
    private static final String CLUSTER_DOMAIN = "FERRY_CLUSTER_DOMAIN";
    private static final String UPSTREAM_DEADLINE = "FERRY_UPSTREAM_DEADLINE_SECONDS";
    private static final String UPSTREAM_SERVER_NAME = "FERRY_UPSTREAM_SERVER_NAME";
    private static final String UPLOAD_SERVERS = "FERRY_UPLOAD_SERVERS";

    public UploadProxyEnv {
        if (tokenPublicKey == null) {
            throw new InvalidEnvironmentException(TOKEN_PUBLIC_KEY + " is not set: the proxy needs the token signing public key");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new InvalidEnvironmentException("set both " + TLS_CERT + " and " + TLS_KEY + ", or neither for plain HTTP");
        }
    }

    public static UploadProxyEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        return new UploadProxyEnv(env.integer(PORT, DEFAULT_PORT), env.path(TLS_CERT), env.path(TLS_KEY),
                env.path(TOKEN_PUBLIC_KEY), env.path(UPSTREAM_CA), env.bool(UPSTREAM_PLAIN, false),
                env.string(CLUSTER_DOMAIN, "cluster.local"), env.number(UPSTREAM_DEADLINE, DEFAULT_UPSTREAM_DEADLINE_SECONDS),
                env.string(UPSTREAM_SERVER_NAME, DEFAULT_UPSTREAM_SERVER_NAME), env.string(UPLOAD_SERVERS, null));
    }

    public Map<String, String> toEnv() {
        return new EnvWriter().put(PORT, port).put(TLS_CERT, tlsCert).put(TLS_KEY, tlsKey).put(TOKEN_PUBLIC_KEY, tokenPublicKey)
                .put(UPSTREAM_CA, upstreamCa).flag(UPSTREAM_PLAIN, upstreamPlain).put(CLUSTER_DOMAIN, clusterDomain)
                .put(UPSTREAM_DEADLINE, upstreamDeadlineSeconds).put(UPSTREAM_SERVER_NAME, upstreamServerName)
                .put(UPLOAD_SERVERS, uploadServers).map();
    }
}
