package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.Map;

/**
 * The upload server worker's environment (one per volume): where it listens, its TLS files
 * (plain HTTP without them), the {@code namespace/pvc} it accepts uploads for, how long an
 * interrupted upload waits to be resumed, the volume, and how it reports.
 */
public record UploadServerEnv(String host, int port, Path tlsCert, Path tlsKey, String uploadTarget,
        long resumeTimeoutSeconds, Clone cloneTarget, DiskTarget target, Reporting reporting) {
    public static final int DEFAULT_PORT = 8443;
    public static final int DEFAULT_METRICS_PORT = 8080;
    public static final long DEFAULT_RESUME_TIMEOUT_SECONDS = 600;
    static final String HOST = "FERRY_UPLOAD_HOST";
    static final String PORT = "FERRY_UPLOAD_PORT";
    private static final String TLS_CERT = "FERRY_TLS_CERT";
    private static final String TLS_KEY = "FERRY_TLS_KEY";
    private static final String TARGET = "FERRY_UPLOAD_TARGET";
    private static final String RESUME_TIMEOUT = "FERRY_RESUME_TIMEOUT_SECONDS";

    /**
     * Clone mode: the server receives a clone stream from one clone source only, over mutual TLS —
     * the client's certificate must chain to {@code clientCa} and name {@code clientName}
     * ({@code <srcNs>/<src>-<tgtNs>/<tgt>}, as CDI names it).
     */
    public record Clone(Path clientCa, String clientName) {
        private static final String CLIENT_CA = "FERRY_CLONE_CLIENT_CA";
        private static final String CLIENT_NAME = "FERRY_CLONE_CLIENT_NAME";

        static Clone read(EnvReader env) {
            Path ca = env.path(CLIENT_CA);
            String name = env.string(CLIENT_NAME, null);
            if ((ca == null) != (name == null)) {
                throw new InvalidEnvironmentException("clone mode needs both " + CLIENT_CA + " and " + CLIENT_NAME);
            }
            return ca == null ? null : new Clone(ca, name);
        }

        void write(EnvWriter env) {
            env.put(CLIENT_CA, clientCa).put(CLIENT_NAME, clientName);
        }
    }

    public UploadServerEnv {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new InvalidEnvironmentException("set both " + TLS_CERT + " and " + TLS_KEY + ", or neither for plain HTTP");
        }
        if (cloneTarget != null && tlsCert == null) {
            throw new InvalidEnvironmentException("clone mode is mutual TLS: set " + TLS_CERT + " and " + TLS_KEY);
        }
    }

    public static UploadServerEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        return new UploadServerEnv(env.string(HOST, "0.0.0.0"), env.integer(PORT, DEFAULT_PORT), env.path(TLS_CERT),
                env.path(TLS_KEY), env.string(TARGET, null), env.number(RESUME_TIMEOUT, DEFAULT_RESUME_TIMEOUT_SECONDS),
                Clone.read(env), DiskTarget.read(env), Reporting.read(env, DEFAULT_METRICS_PORT));
    }

    /** The {@code namespace/pvc} an upload server Pod's environment names, or null. */
    public static String uploadTargetOf(Map<String, String> variables) {
        return new EnvReader(variables).string(TARGET, null);
    }

    public Map<String, String> toEnv() {
        EnvWriter env = new EnvWriter().put(HOST, host).put(PORT, port).put(TLS_CERT, tlsCert).put(TLS_KEY, tlsKey)
                .put(TARGET, uploadTarget).put(RESUME_TIMEOUT, resumeTimeoutSeconds);
        if (cloneTarget != null) {
            cloneTarget.write(env);
        }
        target.write(env);
        reporting.write(env);
        return env.map();
    }
}
