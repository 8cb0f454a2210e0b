package dev.ferry.worker.env;

/** A {@code FERRY_*} variable is missing or malformed; the message names it. Retrying cannot help. */
public final class InvalidEnvironmentException extends IllegalArgumentException {
    /** The termination-message reason for a worker that cannot read its configuration. */
    public static final String REASON = "InvalidArgument";

    public InvalidEnvironmentException(String message) {
        super(message);
    }
}
