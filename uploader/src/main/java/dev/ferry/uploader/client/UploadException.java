package dev.ferry.uploader.client;

import java.io.IOException;

/** An upload the server or proxy refused or failed, with its status and its one-line reason. */
public final class UploadException extends IOException {
    private final int status;

    public UploadException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }
}
