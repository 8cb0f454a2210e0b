package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The controller reads from a real worker's scrape the percentage the worker publishes. */
class ProgressMetricsTest {
    @Test
    void theMetricsKeepTheirSourceAliveThroughAGarbageCollection() throws Exception {
        long[] written = {42};
        try (ProgressMetrics metrics = new ProgressMetrics(ProgressMetrics.Kind.IMPORT,
                new ProgressMetrics.Source(() -> 21, () -> written[0], () -> written[0], () -> 200), "uid-1", 0)) {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            assertThat(metrics.scrape()).contains("ferry_import_disk_bytes_total{ownerUID=\"uid-1\"} 42.0");
            assertThat(ProgressMetrics.percent(metrics.scrape(), "uid-1")).isEqualTo(21.0);
        }
    }

    @Test
    void theControllerReadsWhatTheWorkerPublishes() {
        AtomicLong done = new AtomicLong(25);
        try (ProgressMetrics metrics = new ProgressMetrics(ProgressMetrics.Kind.CLONE,
                new ProgressMetrics.Source(() -> done.get(), done::get, done::get, () -> 100), "uid-7", 0)) {
            assertThat(ProgressMetrics.percent(metrics.scrape(), "uid-7")).isEqualTo(25.0);
            done.set(80);
            assertThat(ProgressMetrics.percent(metrics.scrape(), null)).isEqualTo(80.0);
            assertThat(ProgressMetrics.percent(metrics.scrape(), "other")).isNull();
            assertThat(metrics.scrape()).contains("kubevirt_cdi_clone_progress_total{ownerUID=\"uid-7\"}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
