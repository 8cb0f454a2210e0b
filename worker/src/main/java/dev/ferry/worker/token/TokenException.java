package dev.ferry.worker.token;

/** A token that does not grant the request: 401 when it proves nothing, 403 when it grants something else. */
public final class TokenException extends Exception {
    private final int status;

    TokenException(int status, String message) {
        super(message);
        this.status = status;
    }

    static TokenException unauthorized(String message) {
        return new TokenException(401, message);
    }

    static TokenException forbidden(String message) {
        return new TokenException(403, message);
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}
