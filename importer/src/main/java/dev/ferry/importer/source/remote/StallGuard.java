package dev.ferry.importer.source.remote;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Detects stalled transfers: a stream that delivers no byte for {@code timeout} is closed,
 * which fails the blocked read; the failure then says "stalled" and is retried. The clock is
 * injected so the decision is testable without waiting.
 */
public final class StallGuard implements AutoCloseable {
    private final Duration timeout;
    private final Clock clock;
    private final ScheduledExecutorService timer;

    public StallGuard(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("ferry-stall-guard").unstarted(r));
    }

    public Duration timeout() {
        return timeout;
    }

    /** Wraps a response body; reads after a stall fail with a "stalled" IOException. */
    public InputStream guard(InputStream in) {
        return new Guarded(in);
    }

    private final class Guarded extends InputStream {
        private final InputStream in;
        private volatile long lastProgress = clock.millis();
        private volatile boolean stalled;
        private final ScheduledFuture<?> check;

        Guarded(InputStream in) {
            this.in = in;
            long period = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
            this.check = timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        private void check() {
            if (!stalled && clock.millis() - lastProgress >= timeout.toMillis()) {
                stalled = true;
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the reader sees the failure
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw stalled ? stalledFailure() : e;
            }
            if (stalled) {
                throw stalledFailure();
            }
            if (n > 0) {
                lastProgress = clock.millis();
            }
            return n;
        }

        private IOException stalledFailure() {
            return new IOException("no data for " + timeout.toSeconds() + " s (stalled)");
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            in.close();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
