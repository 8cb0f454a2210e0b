package dev.ferry.worker;

import dev.ferry.disk.progress.TransferProgress;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

/**
 * A worker's progress on {@code /metrics} in Prometheus format, with CDI's metric name
 * ({@code kubevirt_cdi_import_progress_total}, percent done, labelled with {@code ownerUID};
 * {@code kubevirt_cdi_upload_progress_total} for uploads) plus byte counters. The controller
 * reads it to set {@code status.progress}.
 */
public final class ProgressMetrics implements AutoCloseable {
    private final MetricsEndpoint endpoint;

    /** {@code kind} names the work in metric names: "import" or "upload". */
    public ProgressMetrics(String kind, TransferProgress progress, String ownerUid, int port) throws IOException {
        endpoint = new MetricsEndpoint(port);
        PrometheusMeterRegistry registry = endpoint.registry();
        FunctionCounter.builder("kubevirt_cdi_" + kind + "_progress", progress, p -> Math.max(0, p.percent()))
                .description("The " + kind + " progress in percentage").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_" + kind + "_source_bytes", progress, TransferProgress::sourceBytes)
                .description("Bytes read from the source").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_" + kind + "_disk_bytes", progress, TransferProgress::writtenBytes)
                .description("Disk bytes converted (data and zeros)").tag("ownerUID", ownerUid).register(registry);
        Gauge.builder("ferry_" + kind + "_disk_size_bytes", progress, TransferProgress::diskTotal)
                .description("Virtual size of the disk being written, -1 until known").tag("ownerUID", ownerUid)
                .register(registry);
    }

    public int port() {
        return endpoint.port();
    }

    public String scrape() {
        return endpoint.registry().scrape();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
