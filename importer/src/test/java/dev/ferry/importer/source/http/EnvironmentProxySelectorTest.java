package dev.ferry.importer.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proxies come from http_proxy / https_proxy / no_proxy, as curl and Go read them. */
class EnvironmentProxySelectorTest {
    private final EnvironmentProxySelector selector = EnvironmentProxySelector.fromEnvironment(Map.of(
            "http_proxy", "http://proxy.internal:3128",
            "HTTPS_PROXY", "secure-proxy.internal:8443",
            "no_proxy", "localhost, .cluster.local,10.0.0.1"));

    @Test
    void picksTheProxyForTheScheme() {
        assertThat(address(selector.select(URI.create("http://images.example/a.qcow2")).get(0)))
                .isEqualTo("proxy.internal:3128");
        assertThat(address(selector.select(URI.create("https://images.example/a.qcow2")).get(0)))
                .isEqualTo("secure-proxy.internal:8443");
    }

    @Test
    void noProxyMatchesHostsAndDomainSuffixes() {
        assertThat(selector.select(URI.create("http://localhost:8080/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(selector.select(URI.create("https://minio.storage.svc.cluster.local/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(selector.select(URI.create("http://10.0.0.1/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(selector.select(URI.create("http://notcluster.local.example/x"))).doesNotContain(Proxy.NO_PROXY);
    }

    @Test
    void noVariablesMeansDirect() {
        assertThat(EnvironmentProxySelector.fromEnvironment(Map.of()).select(URI.create("https://x/y")))
                .containsExactly(Proxy.NO_PROXY);
    }

    private static String address(Proxy proxy) {
        InetSocketAddress address = (InetSocketAddress) proxy.address();
        return address.getHostString() + ":" + address.getPort();
    }
}
