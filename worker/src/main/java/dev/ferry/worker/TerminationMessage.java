package dev.ferry.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A worker's result: one JSON line in the termination-message file, written by the worker
 * ({@link #write}) and read back by the controller from the Pod's status ({@link #parse}).
 * Success says what was written (or, from a source poller, the digest it found); failure gives a
 * reason (CamelCase) and whether retrying helps.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TerminationMessage(String outcome, String reason, String message, Boolean retryable, String format,
        String compression, Long virtualSize, Long diskSize, Long sourceBytes, String digest) {
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TerminationMessage.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Kubernetes truncates termination messages at 4 KiB. */
    private static final int MAX_MESSAGE = 3000;

    public TerminationMessage {
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
    }

    /** A disk written: its format, compression, sizes and the source bytes read. */
    public static TerminationMessage disk(String format, String compression, long virtualSize, long diskSize, long sourceBytes,
            String message) {
        return new TerminationMessage(SUCCEEDED, "Completed", message, null, format, compression, virtualSize, diskSize,
                sourceBytes, null);
    }

    /** A worker that ended as it should (a launcher whose guest shut down, say), for {@code reason}. */
    public static TerminationMessage ended(String reason, String message) {
        return new TerminationMessage(SUCCEEDED, reason, message, null, null, null, null, null, null, null);
    }

    /** A source's current digest ({@code sha256:<hex>}), as a source poller found it. */
    public static TerminationMessage digest(String digest, String message) {
        return new TerminationMessage(SUCCEEDED, "DigestFound", message, null, null, null, null, null, null, digest);
    }

    public static TerminationMessage failure(String reason, boolean retryable, String message) {
        return new TerminationMessage(FAILED, reason, message, retryable, null, null, null, null, null, null);
    }

    /** A failure whose message is {@code cause}'s (its class name when it has none). */
    public static TerminationMessage failure(String reason, boolean retryable, Throwable cause) {
        return failure(reason, retryable, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }

    /** An unexpected failure: reason {@code Error}, worth retrying. */
    public static TerminationMessage unexpected(Throwable cause) {
        return failure("Error", true, cause);
    }

    public boolean succeeded() {
        return SUCCEEDED.equals(outcome);
    }

    /** Whether a failure may succeed when retried; a message without the field says yes. */
    public boolean mayRetry() {
        return !succeeded() && (retryable == null || retryable);
    }

    /** The message a terminated container carries (its last line), or null when it is not one. */
    public static TerminationMessage parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String last = text.strip().lines().reduce((a, b) -> b).orElse("");
        try {
            TerminationMessage message = JSON.readValue(last, TerminationMessage.class);
            return message.outcome() == null ? null : message;
        } catch (IOException e) {
            return null;
        }
    }

    /** The message as the one JSON line a container's termination message holds. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a termination message is plain JSON", e);
        }
    }

    /**
     * Ends a worker: the message logged and written where its environment says the node reads it
     * (a failure to write is logged: the exit code still tells); returns the exit code, 0 on success.
     */
    public int report(java.util.Map<String, String> variables) {
        LOG.info(this::toJson);
        try {
            write(dev.ferry.worker.env.Reporting.terminationLog(variables));
        } catch (IOException e) {
            LOG.severe(() -> "could not write the termination message: " + e.getMessage());
        }
        return succeeded() ? 0 : 1;
    }

    /** Writes the message atomically (temp file + rename) where the directory allows it. */
    public void write(Path file) throws IOException {
        byte[] line = (toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent) && Files.isWritable(parent) && !file.startsWith("/dev")) {
            Path temp = Files.createTempFile(parent, ".termination", ".tmp");
            Files.write(temp, line);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.write(file, line);
        }
    }
}
