package dev.ferry.disk.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Reads the head of a channel for format detection and hands back a channel that replays it. */
public final class Peek implements ReadableByteChannel {
    private final ByteBuffer head;
    private final ReadableByteChannel rest;
    private final byte[] bytes;

    private Peek(byte[] bytes, int length, ReadableByteChannel rest) {
        this.bytes = bytes;
        this.head = ByteBuffer.wrap(bytes, 0, length);
        this.rest = rest;
    }

    public static Peek of(ReadableByteChannel channel, int size) throws IOException {
        byte[] bytes = new byte[size];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // fill the probe
        }
        return new Peek(bytes, buffer.position(), channel);
    }

    /** The peeked bytes; valid from 0 to {@link #length()}. */
    public byte[] head() {
        return bytes;
    }

    public int length() {
        return head.limit();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (head.hasRemaining()) {
            int n = Math.min(head.remaining(), dst.remaining());
            dst.put(head.slice(head.position(), n));
            head.position(head.position() + n);
            return n;
        }
        return rest.read(dst);
    }

    @Override
    public boolean isOpen() {
        return rest.isOpen();
    }

    @Override
    public void close() throws IOException {
        rest.close();
    }
}
