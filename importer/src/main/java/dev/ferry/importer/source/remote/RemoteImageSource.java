package dev.ferry.importer.source.remote;

import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.source.RandomAccessInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A remote image as the disk engine sees it. When the server supports ranges, the one pass
 * is several ranged requests in flight, delivered in order, each resumed from its last byte
 * on failure; replays are positional ranged reads. Without ranges it is one stream, restarted
 * and skipped forward on failure, and qcow2 falls back to the bounded one-pass store.
 */
public final class RemoteImageSource implements ImageSource, RandomAccessInput {
    private static final Logger LOG = Logger.getLogger(RemoteImageSource.class.getName());
    /** Range size; tunable with -Dferry.range.chunk (bytes). */
    static final int CHUNK = Integer.getInteger("ferry.range.chunk", 8 << 20);

    private final RangeSource source;
    private final RetryPolicy retry;
    private final StallGuard guard;
    private final RangeSource.Probe probe;
    private final int parallel;

    private RemoteImageSource(RangeSource source, RetryPolicy retry, StallGuard guard, RangeSource.Probe probe,
            int parallel) {
        this.source = source;
        this.retry = retry;
        this.guard = guard;
        this.probe = probe;
        this.parallel = parallel;
    }

    /** Probes the source (with retries) and returns it ready to read. */
    public static RemoteImageSource open(RangeSource source, RetryPolicy retry, StallGuard guard, int parallel)
            throws IOException {
        RangeSource.Probe probe = null;
        for (int attempt = 0; probe == null; attempt++) {
            try {
                probe = source.probe();
            } catch (IOException e) {
                retry.onFailure(e, attempt, "probing " + source.describe());
            }
        }
        if (!probe.ranges()) {
            LOG.info(() -> source.describe() + " does not support range requests: reading it in one pass"
                    + " (a qcow2 keeps clusters that precede their tables, bounded, in a temporary file)");
        }
        return new RemoteImageSource(source, retry, guard, probe, parallel);
    }

    public boolean rangesSupported() {
        return probe.ranges() && probe.size() >= 0;
    }

    @Override
    public ReadableByteChannel open() {
        return rangesSupported()
                ? new ParallelRangeChannel(this::fetch, probe.size(), CHUNK, parallel)
                : new ResumingChannel(source, retry, guard, probe.ranges());
    }

    @Override
    public Optional<RandomAccessInput> randomAccess() {
        return rangesSupported() ? Optional.of(this) : Optional.empty();
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        if (position >= probe.size()) {
            return -1;
        }
        int length = (int) Math.min(dst.remaining(), probe.size() - position);
        byte[] bytes = new byte[length];
        fetch(position, position + length, bytes);
        dst.put(bytes);
        return length;
    }

    /** Reads {@code [from, to)} completely into {@code buffer}, resuming from the last byte received after a failure. */
    void fetch(long from, long to, byte[] buffer) throws IOException {
        int length = (int) (to - from);
        int got = 0;
        for (int attempt = 0; got < length; ) {
            try (InputStream in = guard.guard(source.open(from + got, to))) {
                int n;
                while (got < length && (n = in.read(buffer, got, length - got)) > 0) {
                    got += n;
                }
                if (got < length) {
                    throw new IOException(String.format("connection closed after %d of %d bytes", got, length));
                }
            } catch (IOException e) {
                retry.onFailure(e, attempt++, String.format("reading bytes %d-%d of %s", from + got, to - 1,
                        source.describe()));
            }
        }
    }

    @Override
    public long size() {
        return probe.size();
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public void close() {
        guard.close();
    }
}
