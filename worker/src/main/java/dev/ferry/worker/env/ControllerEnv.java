package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The operator process's environment ({@code ferry-controller} Deployment).
 *
 * @param namespace its own namespace (the lease, shared Secrets)
 * @param identity its name in leader election ({@code POD_NAME}, else the host name)
 * @param images the worker images it starts
 * @param uploadTlsSecret the Secret (tls.crt, tls.key) upload servers present to the proxy
 * @param tokenKey the upload token signing key (PEM, Ed25519 or RSA)
 * @param tlsCert the token API's certificate, or null for plain HTTP
 * @param tlsKey the token API's key
 * @param requestHeaderCa the CA of the aggregator's client certificates, or null
 * @param tokenApiPort where the token API listens
 * @param metricsPort where {@code /metrics} is served
 * @param insecureRegistries registries (host or host:port) reached over plain HTTP, as CDIConfig's
 * @param accelerator kvm, qemu (TCG) or auto, for launchers
 */
public record ControllerEnv(String namespace, String identity, WorkerImages images, String uploadTlsSecret, Path tokenKey,
        Path tlsCert, Path tlsKey, Path requestHeaderCa, int tokenApiPort, int metricsPort, List<String> insecureRegistries,
        String accelerator) {
    public static final String DEFAULT_NAMESPACE = "ferry-system";
    public static final String DEFAULT_UPLOAD_TLS_SECRET = "ferry-upload-server-tls";
    private static final String NAMESPACE = "FERRY_NAMESPACE";
    private static final String POD_NAME = "POD_NAME";
    private static final String UPLOAD_TLS_SECRET = "FERRY_UPLOAD_TLS_SECRET";
    private static final String TOKEN_KEY = "FERRY_TOKEN_KEY";
    private static final String TLS_CERT = "FERRY_TLS_CERT";
    private static final String TLS_KEY = "FERRY_TLS_KEY";
    private static final String REQUESTHEADER_CA = "FERRY_REQUESTHEADER_CA";
    private static final String TOKEN_API_PORT = "FERRY_TOKEN_API_PORT";
    private static final String METRICS_PORT = "FERRY_METRICS_PORT";
    private static final String INSECURE_REGISTRIES = "FERRY_INSECURE_REGISTRIES";
    private static final String ACCELERATOR = "FERRY_ACCELERATOR";

    public ControllerEnv {
        insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
    }

    /** {@code hostName} names this replica when the Pod's name is not given. */
    public static ControllerEnv fromEnv(Map<String, String> variables, String hostName) {
        EnvReader env = new EnvReader(variables);
        Path tokenKey = env.path(TOKEN_KEY);
        if (tokenKey == null) {
            throw new InvalidEnvironmentException(TOKEN_KEY + " is not set: the upload token signing key (PEM, Ed25519 or RSA)");
        }
        return new ControllerEnv(env.string(NAMESPACE, DEFAULT_NAMESPACE), env.string(POD_NAME, hostName), WorkerImages.read(env),
                env.string(UPLOAD_TLS_SECRET, DEFAULT_UPLOAD_TLS_SECRET), tokenKey, env.path(TLS_CERT), env.path(TLS_KEY),
                env.path(REQUESTHEADER_CA), env.integer(TOKEN_API_PORT, 8443), env.integer(METRICS_PORT, 8080),
                env.list(INSECURE_REGISTRIES, ","), env.string(ACCELERATOR, "auto"));
    }

    public Map<String, String> toEnv() {
        EnvWriter env = new EnvWriter().put(NAMESPACE, namespace).put(POD_NAME, identity);
        images.write(env);
        return env.put(UPLOAD_TLS_SECRET, uploadTlsSecret).put(TOKEN_KEY, tokenKey).put(TLS_CERT, tlsCert).put(TLS_KEY, tlsKey)
                .put(REQUESTHEADER_CA, requestHeaderCa).put(TOKEN_API_PORT, tokenApiPort).put(METRICS_PORT, metricsPort)
                .list(INSECURE_REGISTRIES, ",", insecureRegistries).put(ACCELERATOR, accelerator).map();
    }
}
