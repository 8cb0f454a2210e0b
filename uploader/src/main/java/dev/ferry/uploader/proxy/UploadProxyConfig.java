package dev.ferry.uploader.proxy;

import dev.ferry.worker.token.TokenVerifier;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;

/**
 * The cluster's upload proxy.
 *
 * @param tls the proxy's own TLS context (clients connect with HTTPS), or null for plain HTTP
 * @param upstreamTls how to reach upload servers over TLS, or null for plain HTTP (local mode)
 * @param upstreamDeadline how long to wait for an upload server to accept connections
 * @param upstreamServerName the name upload server certificates carry (one certificate serves
 *     every volume's server), or null to check each server's own host name
 */
public record UploadProxyConfig(String host, int port, TokenVerifier tokens, UploadServerResolver resolver,
        SslContext tls, SslContext upstreamTls, Duration upstreamDeadline, String upstreamServerName) {
    public static final Duration DEFAULT_UPSTREAM_DEADLINE = Duration.ofSeconds(60);
    public static final String DEFAULT_UPSTREAM_SERVER_NAME = "ferry-upload-server";

    public UploadProxyConfig(String host, int port, TokenVerifier tokens, UploadServerResolver resolver, SslContext tls,
            SslContext upstreamTls, Duration upstreamDeadline) {
        this(host, port, tokens, resolver, tls, upstreamTls, upstreamDeadline, null);
    }
}
