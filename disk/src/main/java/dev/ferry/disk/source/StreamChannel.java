package dev.ferry.disk.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * An InputStream as a channel, read in chunks, with a hook that turns the stream's failures
 * into errors a user can act on (a corrupt gzip, a tampered layer).
 */
public class StreamChannel implements ReadableByteChannel {
    protected final InputStream in;
    private final byte[] chunk = new byte[256 * 1024];
    private boolean open = true;

    public StreamChannel(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n;
        try {
            n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
        } catch (IOException e) {
            throw translate(e);
        }
        if (n > 0) {
            dst.put(chunk, 0, n);
        }
        return n;
    }

    /** What a read failure means; by default itself. */
    protected IOException translate(IOException failure) {
        return failure;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        in.close();
    }
}
