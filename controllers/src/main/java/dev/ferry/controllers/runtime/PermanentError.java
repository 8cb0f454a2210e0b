package dev.ferry.controllers.runtime;

import java.time.Duration;

/**
 * A reconcile cannot go on until a person changes something — a bad spec, a missing Secret, a
 * refused permission: it becomes a condition with {@link #reason()} and is looked at again only
 * slowly ({@link RetryPolicy#PERMANENT_RECHECK} unless it says when), never retried in a tight loop.
 */
public final class PermanentError extends RuntimeException {
    private final String reason;
    private final Duration recheck;

    public PermanentError(String reason, String message) {
        this(reason, message, RetryPolicy.PERMANENT_RECHECK);
    }

    /** {@code recheck}: when to look again (what is missing may appear without the object changing). */
    public PermanentError(String reason, String message, Duration recheck) {
        super(message);
        this.reason = reason;
        this.recheck = recheck;
    }

    /** A CamelCase reason for the condition and the event. */
    public String reason() {
        return reason;
    }

    public Duration recheck() {
        return recheck;
    }
}
