package dev.ferry.worker.token;

import java.time.Duration;
import java.time.Instant;

/**
 * What an upload token grants: one operation on one PVC, for a short time (CDI: 5 minutes).
 *
 * @param namespace the PVC's namespace
 * @param name the PVC's name
 * @param operation {@value #UPLOAD} (CDI also issues tokens for clones)
 */
public record UploadToken(String namespace, String name, String operation, Instant issuedAt, Instant expiresAt) {
    public static final String UPLOAD = "Upload";
    public static final Duration LIFETIME = Duration.ofMinutes(5);

    /** {@code namespace/name}, as the proxy and server name a target. */
    public String target() {
        return namespace + "/" + name;
    }
}
