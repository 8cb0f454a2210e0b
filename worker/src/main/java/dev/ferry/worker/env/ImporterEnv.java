package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The importer worker's environment: what to import ({@code http(s)://}, {@code s3://},
 * {@code docker://}, {@code file://}, {@code blank:}), how to reach it, the transfer policy, the
 * volume, and how it reports.
 *
 * @param sourceUrl what to import
 * @param access credentials, CAs, headers, endpoint and platform of the source
 * @param retries how many times a transient failure is retried
 * @param stallTimeoutSeconds how long a transfer may make no progress before it counts as failed
 */
public record ImporterEnv(String sourceUrl, SourceAccess access, int retries, long stallTimeoutSeconds, DiskTarget target,
        Reporting reporting) {
    public static final int DEFAULT_RETRIES = 5;
    public static final long DEFAULT_STALL_TIMEOUT_SECONDS = 60;
    public static final int DEFAULT_METRICS_PORT = 8443;
    static final String SOURCE_URL = "FERRY_SOURCE_URL";
    private static final String RETRIES = "FERRY_RETRIES";
    private static final String STALL_TIMEOUT = "FERRY_STALL_TIMEOUT_SECONDS";

    /**
     * How to reach the source.
     *
     * @param secretDir files {@code accessKeyId}/{@code secretKey} (basic auth, S3, registry credentials), or null
     * @param certDir PEM CA files to trust, or null
     * @param insecureTls skip TLS verification (registries: plain HTTP)
     * @param extraHeaders HTTP headers {@code Name: value}
     * @param s3Endpoint the S3 endpoint for {@code s3://} URLs, or null for AWS
     * @param platform the architecture to pick from a registry's image index, or null for this machine's
     */
    public record SourceAccess(Path secretDir, Path certDir, boolean insecureTls, List<String> extraHeaders, String s3Endpoint,
            String platform) {
        public static final SourceAccess NONE = new SourceAccess(null, null, false, List.of(), null, null);
        private static final String SECRET_DIR = "FERRY_SECRET_DIR";
        private static final String CERT_DIR = "FERRY_CERT_DIR";
        private static final String INSECURE_TLS = "FERRY_INSECURE_TLS";
        private static final String EXTRA_HEADERS = "FERRY_EXTRA_HEADERS";
        private static final String S3_ENDPOINT = "FERRY_S3_ENDPOINT";
        private static final String PLATFORM = "FERRY_PLATFORM";

        public SourceAccess {
            extraHeaders = extraHeaders == null ? List.of() : List.copyOf(extraHeaders);
        }

        static SourceAccess read(EnvReader env) {
            return new SourceAccess(env.path(SECRET_DIR), env.path(CERT_DIR), env.bool(INSECURE_TLS, false),
                    env.list(EXTRA_HEADERS, "\n"), env.string(S3_ENDPOINT, null), env.string(PLATFORM, null));
        }

        void write(EnvWriter env) {
            env.put(SECRET_DIR, secretDir).put(CERT_DIR, certDir).flag(INSECURE_TLS, insecureTls)
                    .list(EXTRA_HEADERS, "\n", extraHeaders).put(S3_ENDPOINT, s3Endpoint).put(PLATFORM, platform);
        }
    }

    public static ImporterEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        return new ImporterEnv(env.required(SOURCE_URL), SourceAccess.read(env), env.integer(RETRIES, DEFAULT_RETRIES),
                env.number(STALL_TIMEOUT, DEFAULT_STALL_TIMEOUT_SECONDS), DiskTarget.read(env),
                Reporting.read(env, DEFAULT_METRICS_PORT));
    }

    public Map<String, String> toEnv() {
        EnvWriter env = new EnvWriter().put(SOURCE_URL, sourceUrl);
        access.write(env);
        env.put(RETRIES, retries).put(STALL_TIMEOUT, stallTimeoutSeconds);
        target.write(env);
        reporting.write(env);
        return env.map();
    }
}
