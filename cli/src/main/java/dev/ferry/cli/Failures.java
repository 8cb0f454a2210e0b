package dev.ferry.cli;

import dev.ferry.uploader.client.UploadException;
import dev.ferry.disk.DiskException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

/** One line per failure, naming the cause a user can act on. */
final class Failures {
    private Failures() {
    }

    static String describe(Throwable e) {
        if (e instanceof DiskException disk) {
            return disk.getMessage();
        }
        if (e instanceof UploadException upload) {
            return "upload failed: " + upload.getMessage();
        }
        if (e instanceof java.net.ConnectException connect) {
            return "cannot connect: " + connect.getMessage();
        }
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof FileSystemException fs) {
            return fs.getFile() + ": " + (fs.getReason() == null ? fs.getClass().getSimpleName() : fs.getReason());
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (this is a bug: Ferry's memory must not grow with the image; please report it)";
        }
        String message = e.getMessage();
        String line = message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException connect) {
                // fabric8 says "An error has occurred."; the cause is what a user can act on
                return line + " (cannot connect to the API server: " + connect.getMessage()
                        + "; is it running — `ferry local up` — and is --kubeconfig / $KUBECONFIG the right one?)";
            }
        }
        return line;
    }
}
