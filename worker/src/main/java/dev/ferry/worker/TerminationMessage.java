package dev.ferry.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.ImportResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The worker's result as one JSON line in the termination-message file, which the controller
 * reads from the Pod status: success with what was written, or failure with a reason and
 * whether retrying can help.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TerminationMessage(String outcome, String reason, String message, Boolean retryable, String format,
        String compression, Long virtualSize, Long diskSize, Long sourceBytes) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kubernetes truncates termination messages at 4 KiB. */
    private static final int MAX_MESSAGE = 3000;

    public static TerminationMessage success(ImportResult result, String message) {
        return new TerminationMessage("Succeeded", "Completed", message, null, result.format().label(),
                result.compression() == null ? null : result.compression().label(), result.virtualSize(),
                result.diskSize(), result.sourceBytes());
    }

    public static TerminationMessage failure(Throwable failure) {
        String reason;
        boolean retryable;
        if (failure instanceof DiskException disk) {
            reason = reasonName(disk.reason());
            retryable = disk.reason().retryable();
        } else {
            reason = "Error";
            retryable = true;
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        return new TerminationMessage("Failed", reason, message, retryable, null, null, null, null, null);
    }

    /** CamelCase as Kubernetes reasons are written: INVALID_IMAGE → InvalidImage. */
    public static String reasonName(DiskException.Reason reason) {
        StringBuilder name = new StringBuilder();
        for (String part : reason.name().split("_")) {
            name.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return name.toString();
    }

    public boolean succeeded() {
        return "Succeeded".equals(outcome);
    }

    /** Writes the message atomically (temp file + rename) where possible. */
    public void write(Path file) throws IOException {
        byte[] line = (JSON.writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8);
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
