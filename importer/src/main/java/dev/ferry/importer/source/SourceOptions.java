package dev.ferry.importer.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to reach a remote source, as CDI passes it to its importer.
 *
 * @param certDir extra CA certificates (CDI's certConfigMap mounted as files), or null
 * @param insecureSkipVerify no TLS verification (also the registry's insecure flag)
 * @param headers extra request headers, {@code "Name: value"} (CDI's extraHeaders)
 * @param secretDir credentials: files {@code accessKeyId} and {@code secretKey}, as CDI mounts a secretRef
 * @param retries how many times a failed or stalled read is retried
 * @param stallTimeout how long a transfer may deliver nothing before it counts as failed
 * @param s3Endpoint the S3 endpoint for {@code s3://} URLs, or null for AWS
 * @param platform the architecture to pick from a registry manifest list, or null for this machine's
 */
public record SourceOptions(Path certDir, boolean insecureSkipVerify, List<String> headers, Path secretDir,
        int retries, Duration stallTimeout, String s3Endpoint, String platform) {
    public static final int DEFAULT_RETRIES = 5;
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

    public static SourceOptions defaults() {
        return new SourceOptions(null, false, List.of(), null, DEFAULT_RETRIES, DEFAULT_STALL_TIMEOUT, null, null);
    }
}
