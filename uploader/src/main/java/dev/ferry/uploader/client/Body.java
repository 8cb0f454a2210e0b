package dev.ferry.uploader.client;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a client sends, read by position so a dropped transfer resumes at any offset: an image file,
 * or a clone source's stream of data extents.
 */
public interface Body {
    long length();

    /** Reads into {@code into} from {@code position}; returns the bytes read, -1 at the end. */
    int read(ByteBuffer into, long position) throws IOException;

    default String contentType() {
        return "application/octet-stream";
    }
}
