package dev.ferry.uploader.server;

/**
 * Ferry's additions to CDI's upload wire contract (CDI clients never send them and are not
 * affected). {@code HEAD /v1beta1/upload} answers with the committed offset and state; a client
 * resumes with {@code Content-Range: bytes OFFSET-END/TOTAL}.
 */
public final class UploadHeaders {
    /** Bytes committed so far (the offset to resume from). */
    public static final String OFFSET = "Upload-Offset";
    /** The upload's total length, when the client announced it. */
    public static final String LENGTH = "Upload-Length";
    /** Idle, Receiving, Interrupted, Completing or Succeeded. */
    public static final String STATE = "X-Ferry-Upload-State";
    /** Why this request failed (on an error answer), or why the last attempt failed (on HEAD). */
    public static final String ERROR = "X-Ferry-Upload-Error";
    /** {@code namespace/pvc} the client means to write: checked by proxy and server, 403 on mismatch. */
    public static final String TARGET = "X-Ferry-Upload-Target";

    private UploadHeaders() {
    }
}
