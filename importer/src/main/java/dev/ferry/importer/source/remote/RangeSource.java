package dev.ferry.importer.source.remote;

import java.io.IOException;
import java.io.InputStream;

/**
 * A remote object read by byte ranges (HTTP with Range, S3 ranged GET). Implementations make
 * one request per call and classify failures: {@link dev.ferry.disk.DiskException} with a
 * non-retryable reason for answers that will not change (401, 403, 404, 410), any other
 * {@link IOException} for failures worth retrying.
 */
public interface RangeSource {
    /** Probes the object: its size (or -1) and whether ranged reads work. */
    Probe probe() throws IOException;

    /**
     * Opens {@code [from, to)} ({@code to = -1}: to the end). Without range support only
     * {@code from = 0} is allowed.
     */
    InputStream open(long from, long to) throws IOException;

    /** For messages: the URL without credentials. */
    String describe();

    /** What a probe learned. */
    record Probe(long size, boolean ranges) {
    }
}
