package dev.ferry.vmruntime.launcher;

import java.time.Duration;
import java.time.Instant;

/**
 * KubeVirt's two migration limits, decided from the clock and the bytes left to send:
 * completionTimeout (the whole job) and progressTimeout (no new low in the bytes remaining).
 * A zero duration is no limit.
 */
final class MigrationWatchdog {
    private final Instant start;
    private final Duration completion;
    private final Duration progress;
    private long least = Long.MAX_VALUE;
    private Instant leastAt;

    MigrationWatchdog(Instant start, Duration completion, Duration progress) {
        this.start = start;
        this.completion = completion;
        this.progress = progress;
        this.leastAt = start;
    }

    /** Why the migration must be aborted at {@code now} with {@code remaining} bytes to send (-1 unknown), or null. */
    synchronized String check(Instant now, long remaining) {
        if (remaining >= 0 && remaining < least) {
            least = remaining;
            leastAt = now;
        }
        if (!completion.isZero() && now.isAfter(start.plus(completion))) {
            return "the migration did not complete within " + completion.toSeconds() + " s (completionTimeoutPerGiB)";
        }
        if (!progress.isZero() && now.isAfter(leastAt.plus(progress))) {
            return "the migration made no progress for " + progress.toSeconds() + " s (progressTimeout)";
        }
        return null;
    }
}
