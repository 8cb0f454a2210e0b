package dev.ferry.disk;

import java.io.IOException;

/**
 * A failure of the disk engine with a reason a user can act on. The message says what was
 * expected, what was found and, where it helps, what to do; {@link #reason()} classifies it
 * for termination messages and retry decisions.
 */
public class DiskException extends IOException {
    /** Why an import failed; {@link #retryable()} tells whether trying again can help. */
    public enum Reason {
        INVALID_IMAGE(false),
        UNSUPPORTED_FORMAT(false),
        TARGET_TOO_SMALL(false),
        CHECKSUM_MISMATCH(false),
        UNSAFE_ARCHIVE(false),
        INVALID_ARGUMENT(false),
        /** The source answered 404 or 410. */
        SOURCE_NOT_FOUND(false),
        /** The source answered 401 or 403: credentials are missing or wrong. */
        SOURCE_UNAUTHORIZED(false),
        /** The source failed, stalled or was unreachable beyond the retries allowed. */
        SOURCE_UNAVAILABLE(true),
        IO_ERROR(true);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }

        /** CamelCase, as Kubernetes reasons are written: INVALID_IMAGE → InvalidImage. */
        public String label() {
            StringBuilder label = new StringBuilder();
            for (String part : name().split("_")) {
                label.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
            }
            return label.toString();
        }
    }

    private final Reason reason;

    public DiskException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DiskException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static DiskException invalid(String format, Object... args) {
        return new DiskException(Reason.INVALID_IMAGE, String.format(format, args));
    }
}
