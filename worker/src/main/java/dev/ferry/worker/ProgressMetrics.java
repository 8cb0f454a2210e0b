package dev.ferry.worker;

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
 * A worker's progress on {@code /metrics} in Prometheus format, with CDI's metric name
 * ({@code kubevirt_cdi_import_progress_total}, percent done, labelled with {@code ownerUID};
 * {@code kubevirt_cdi_upload_progress_total} for uploads) plus byte counters. The controller
 * reads it to set {@code status.progress}.
 */
public final class ProgressMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    /** {@code kind} names the work in metric names: "import" or "upload". */
    public ProgressMetrics(String kind, TransferProgress progress, String ownerUid, int port) throws IOException {
        FunctionCounter.builder("kubevirt_cdi_" + kind + "_progress", progress, p -> Math.max(0, p.percent()))
                .description("The " + kind + " progress in percentage").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_" + kind + "_source_bytes", progress, TransferProgress::sourceBytes)
                .description("Bytes read from the source").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_" + kind + "_disk_bytes", progress, TransferProgress::writtenBytes)
                .description("Disk bytes converted (data and zeros)").tag("ownerUID", ownerUid).register(registry);
        Gauge.builder("ferry_" + kind + "_disk_size_bytes", progress, TransferProgress::diskTotal)
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

    public int port() {
        return server.getAddress().getPort();
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
