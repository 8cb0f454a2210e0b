package dev.ferry.importer.source.http;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Opens blocking JDK connections for large bodies: they read straight from the socket into
 * the caller's buffer, which moves image data about twice as fast as the asynchronous client
 * on loopback. TLS trust, host-name checks and proxies are configured as for the client
 * ({@code tls} is null for plain http, which then never builds a TLS context; a redirect to
 * https falls back to the JDK's default trust).
 */
public record HttpConnector(SSLContext tls, boolean insecure, ProxySelector proxies, Duration readTimeout) {
    private static final int CONNECT_TIMEOUT_MS = 30_000;

    public HttpURLConnection open(URI uri) throws IOException {
        List<Proxy> proxy = proxies.select(uri);
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(
                proxy.isEmpty() ? Proxy.NO_PROXY : proxy.get(0));
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        connection.setInstanceFollowRedirects(true);
        connection.setUseCaches(false);
        if (connection instanceof HttpsURLConnection https && tls != null) {
            https.setSSLSocketFactory(tls.getSocketFactory());
            if (insecure) {
                https.setHostnameVerifier((host, session) -> true);
            }
        }
        return connection;
    }
}
