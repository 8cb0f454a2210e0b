package dev.ferry.controllers.runtime;

import java.time.Duration;

/**
 * How a failed reconcile is retried, apart from how many times it already failed (the work
 * queue's state): permanent failures wait long, transient ones back off.
 */
public interface RetryPolicy {
    /** When a permanent failure is looked at again, unless it says otherwise. */
    Duration PERMANENT_RECHECK = Duration.ofMinutes(5);

    /** Whether no retry can help until a person changes something. */
    boolean permanent(Throwable failure);

    /** When to try again after the {@code attempt}-th failure in a row (1-based). */
    Duration delay(Throwable failure, int attempt);
}
