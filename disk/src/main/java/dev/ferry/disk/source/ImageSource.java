package dev.ferry.disk.source;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/** Where image bytes come from: a local file here; HTTP, S3 and registries in the importer. */
public interface ImageSource extends Closeable {
    /** A sequential channel over the source's bytes from the start. */
    ReadableByteChannel open() throws IOException;

    /** Positional reads, when the source supports them (local files; HTTP with Range). */
    Optional<RandomAccessInput> randomAccess();

    /** The size in bytes, or -1 when unknown until the end. */
    long size();

    /** For messages: the file path or URL (without credentials). */
    String describe();

    /**
     * Whether every byte must be read even when the image ends early (the source verifies a
     * digest over all of it when its channel is closed, as a registry layer does).
     */
    default boolean requiresFullRead() {
        return false;
    }
}
