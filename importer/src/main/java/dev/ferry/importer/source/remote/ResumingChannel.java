package dev.ferry.importer.source.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.logging.Logger;

/**
 * One streamed request for the whole object. After a failure it asks again: from the byte
 * it stopped at when the server supports ranges, otherwise from the start, skipping what it
 * already delivered.
 */
final class ResumingChannel implements ReadableByteChannel {
    private static final Logger LOG = Logger.getLogger(ResumingChannel.class.getName());

    private final RangeSource source;
    private final RetryPolicy retry;
    private final StallGuard guard;
    private final boolean ranges;
    private final byte[] chunk = new byte[256 * 1024];
    private InputStream in;
    private long delivered;
    private int attempt;
    private boolean open = true;

    ResumingChannel(RangeSource source, RetryPolicy retry, StallGuard guard, boolean ranges) {
        this.source = source;
        this.retry = retry;
        this.guard = guard;
        this.ranges = ranges;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (true) {
            try {
                if (in == null) {
                    in = reopen();
                }
                int n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
                if (n > 0) {
                    dst.put(chunk, 0, n);
                    delivered += n;
                }
                return n;
            } catch (IOException e) {
                closeQuietly();
                retry.onFailure(e, attempt++, "reading " + source.describe() + " at byte " + delivered);
            }
        }
    }

    private InputStream reopen() throws IOException {
        if (ranges || delivered == 0) {
            return guard.guard(source.open(delivered, -1));
        }
        LOG.warning(() -> source.describe() + " cannot resume (no range support): reading again from the start,"
                + " skipping " + delivered + " bytes");
        InputStream fresh = guard.guard(source.open(0, -1));
        fresh.skipNBytes(delivered);
        return fresh;
    }

    private void closeQuietly() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // replaced by the next attempt
            }
            in = null;
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        closeQuietly();
    }
}
