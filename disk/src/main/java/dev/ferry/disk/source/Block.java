package dev.ferry.disk.source;

import java.nio.ByteBuffer;

/** A run of source bytes starting at {@code offset}; {@code data} holds them from position 0 to its limit. */
public record Block(long offset, ByteBuffer data) {
    public long end() {
        return offset + data.limit();
    }
}
