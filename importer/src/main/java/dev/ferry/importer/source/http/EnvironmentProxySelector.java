package dev.ferry.importer.source.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Proxies from {@code http_proxy}, {@code https_proxy} and {@code no_proxy} (either case), as
 * curl and Go read them: the JDK does not read these variables itself.
 */
final class EnvironmentProxySelector extends ProxySelector {
    private final URI httpProxy;
    private final URI httpsProxy;
    private final List<String> noProxy;

    private EnvironmentProxySelector(URI httpProxy, URI httpsProxy, List<String> noProxy) {
        this.httpProxy = httpProxy;
        this.httpsProxy = httpsProxy;
        this.noProxy = noProxy;
    }

    static EnvironmentProxySelector fromEnvironment(Map<String, String> env) {
        return new EnvironmentProxySelector(proxy(env, "http_proxy"), proxy(env, "https_proxy"),
                Arrays.stream(value(env, "no_proxy").split(","))
                        .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList());
    }

    private static URI proxy(Map<String, String> env, String name) {
        String v = value(env, name);
        if (v.isEmpty()) {
            return null;
        }
        return URI.create(v.contains("://") ? v : "http://" + v);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null ? v : env.getOrDefault(name.toUpperCase(Locale.ROOT), "");
    }

    @Override
    public List<Proxy> select(URI uri) {
        URI proxy = "https".equalsIgnoreCase(uri.getScheme()) ? httpsProxy : httpProxy;
        if (proxy == null || bypassed(uri.getHost())) {
            return List.of(Proxy.NO_PROXY);
        }
        int port = proxy.getPort() > 0 ? proxy.getPort() : 80;
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.getHost(), port)));
    }

    boolean bypassed(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy) {
            String suffix = entry.startsWith(".") ? entry : "." + entry;
            if (entry.equals("*") || h.equals(entry) || h.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // the request fails and is retried by the caller's policy
    }
}
