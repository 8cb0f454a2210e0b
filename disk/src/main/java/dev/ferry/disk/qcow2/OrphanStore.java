package dev.ferry.disk.qcow2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Bytes the converter passed before it knew what they were (data whose L2 table comes later
 * in the file). A random-access source re-reads them; a pure stream keeps them, bounded.
 */
interface OrphanStore extends Closeable {
    /** Receives passed bytes {@code [offset, offset + data.remaining())} nobody has claimed yet. */
    void keep(long offset, ByteBuffer data) throws IOException;

    /** Whether {@link #keep} needs to be called at all. */
    boolean wantsOrphans();

    /** Replays {@code [from, to)} into {@code sink}; fails if the bytes were not kept. */
    void replay(long from, long to, Sink sink) throws IOException;

    /** No more replays can be asked for: free what is kept. */
    void release() throws IOException;

    /** Takes replayed bytes at their source offset. */
    @FunctionalInterface
    interface Sink {
        void accept(long offset, ByteBuffer data) throws IOException;
    }
}
