package dev.ferry.importer.app;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.disk.progress.TransferProgress;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The worker's progress on {@code /metrics} in Prometheus format, with CDI's metric name
 * ({@code kubevirt_cdi_import_progress_total}, percent done, labelled with {@code ownerUID})
 * plus byte counters. The controller reads it to set {@code status.progress}.
 */
final class ImportMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    ImportMetrics(TransferProgress progress, String ownerUid, int port) throws IOException {
        FunctionCounter.builder("kubevirt_cdi_import_progress", progress, p -> Math.max(0, p.percent()))
                .description("The import progress in percentage").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_import_source_bytes", progress, TransferProgress::sourceBytes)
                .description("Bytes read from the source").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_import_disk_bytes", progress, TransferProgress::writtenBytes)
                .description("Disk bytes converted (data and zeros)").tag("ownerUID", ownerUid).register(registry);
        Gauge.builder("ferry_import_disk_size_bytes", progress, TransferProgress::diskTotal)
                .description("Virtual size of the disk being written, -1 until known").tag("ownerUID", ownerUid)
                .register(registry);
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
