package dev.ferry.uploader.proxy;

import dev.ferry.uploader.token.TokenVerifier;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;

/**
 * The cluster's upload proxy.
 *
 * @param tls the proxy's own TLS context (clients connect with HTTPS), or null for plain HTTP
 * @param upstreamTls how to reach upload servers over TLS, or null for plain HTTP (local mode)
 * @param upstreamDeadline how long to wait for an upload server to accept connections
 */
public record UploadProxyConfig(String host, int port, TokenVerifier tokens, UploadServerResolver resolver,
        SslContext tls, SslContext upstreamTls, Duration upstreamDeadline) {
    public static final Duration DEFAULT_UPSTREAM_DEADLINE = Duration.ofSeconds(60);
}
