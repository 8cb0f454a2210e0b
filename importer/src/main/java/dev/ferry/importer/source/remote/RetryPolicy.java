package dev.ferry.importer.source.remote;

import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * How failed reads are retried: up to {@code retries} times with exponential backoff. The
 * policy holds no state; each operation counts its own attempts. Sleeping is injected so
 * tests do not wait.
 */
public record RetryPolicy(int retries, Duration initialBackoff, Duration maxBackoff, Sleeper sleeper) {
    private static final Logger LOG = Logger.getLogger(RetryPolicy.class.getName());

    /** Waits between attempts. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());
    }

    public static RetryPolicy of(int retries) {
        return new RetryPolicy(retries, Duration.ofMillis(500), Duration.ofSeconds(30), Sleeper.REAL);
    }

    public Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /**
     * Decides after a failure: returns normally to retry (after backing off), or throws the
     * final error: non-retryable failures at once, others once the retries are spent.
     */
    public void onFailure(IOException failure, int attempt, String what) throws IOException {
        if (failure instanceof DiskException disk && !disk.reason().retryable()) {
            throw disk;
        }
        if (failure instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            throw failure;
        }
        if (attempt >= retries) {
            throw new DiskException(DiskException.Reason.SOURCE_UNAVAILABLE, String.format(
                    "%s failed after %d attempts: %s", what, attempt + 1, message(failure)), failure);
        }
        Duration wait = backoff(attempt);
        LOG.warning(() -> String.format("%s failed (%s); retry %d of %d in %d ms", what, message(failure),
                attempt + 1, retries, wait.toMillis()));
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while backing off");
        }
    }

    static String message(Throwable failure) {
        String m = failure.getMessage();
        return m == null ? failure.getClass().getSimpleName() : m;
    }
}
