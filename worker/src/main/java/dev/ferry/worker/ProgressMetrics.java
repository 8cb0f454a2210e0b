package dev.ferry.worker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker's progress on {@code /metrics} with CDI's metric names
 * ({@code kubevirt_cdi_<kind>_progress_total}: percent done, labelled with {@code ownerUID}) plus
 * byte counters — written here by the worker and read here ({@link #percent}) by the controller,
 * which sets {@code status.progress} from it.
 */
public final class ProgressMetrics implements AutoCloseable {
    /** What the metrics are about: {@code import}, {@code upload} or {@code clone} (CDI's names). */
    public enum Kind {
        IMPORT, UPLOAD, CLONE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where a worker's progress is read from. */
    public record Source(DoubleSupplier percent, LongSupplier sourceBytes, LongSupplier diskBytes, LongSupplier diskSize) {
    }

    private static final Pattern PROGRESS = Pattern.compile(
            "^kubevirt_cdi_(?:import|upload|clone)_progress_total\\{[^}]*ownerUID=\"([^\"]*)\"[^}]*}\\s+([0-9.eE+-]+)\\s*$",
            Pattern.MULTILINE);
    private final MetricsEndpoint endpoint;
    /** Held here: Micrometer keeps only a weak reference to what its function meters read. */
    private final Source progress;

    public ProgressMetrics(Kind kind, Source progress, String ownerUid, int port) throws IOException {
        this.progress = progress;
        endpoint = new MetricsEndpoint(port);
        PrometheusMeterRegistry registry = endpoint.registry();
        String name = kind.label();
        FunctionCounter.builder("kubevirt_cdi_" + name + "_progress", progress, p -> Math.max(0, p.percent().getAsDouble()))
                .description("The " + name + " progress in percentage").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_" + name + "_source_bytes", progress, p -> p.sourceBytes().getAsLong())
                .description("Bytes read from the source").tag("ownerUID", ownerUid).register(registry);
        FunctionCounter.builder("ferry_" + name + "_disk_bytes", progress, p -> p.diskBytes().getAsLong())
                .description("Disk bytes converted (data and zeros)").tag("ownerUID", ownerUid).register(registry);
        Gauge.builder("ferry_" + name + "_disk_size_bytes", progress, p -> p.diskSize().getAsLong())
                .description("Virtual size of the disk being written, -1 until known").tag("ownerUID", ownerUid)
                .register(registry);
    }

    /** The percentage a scrape of a worker's {@code /metrics} reports for {@code ownerUid} (any, if null), or null. */
    public static Double percent(String scrape, String ownerUid) {
        Matcher matcher = PROGRESS.matcher(scrape);
        while (matcher.find()) {
            if (ownerUid == null || ownerUid.equals(matcher.group(1))) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return null;
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
