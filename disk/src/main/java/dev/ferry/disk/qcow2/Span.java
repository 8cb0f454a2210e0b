package dev.ferry.disk.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * A byte range of the qcow2 file the converter is waiting for (a table or a data cluster),
 * filled in stream order as the bytes pass by or are replayed from the orphan store.
 */
abstract class Span {
    static final Comparator<Span> BY_START = Comparator.comparingLong(span -> span.start);

    final long start;
    final long end;
    private long filled;

    Span(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** The next offset this span wants. */
    final long next() {
        return start + filled;
    }

    final boolean complete() {
        return next() >= end;
    }

    /** Delivers bytes at {@link #next()}; calls {@link #completed()} when the span is full. */
    final void offer(ByteBuffer bytes) throws IOException {
        int n = bytes.remaining();
        accept(next(), bytes);
        filled += n;
        if (complete()) {
            completed();
        }
    }

    abstract void accept(long at, ByteBuffer bytes) throws IOException;

    abstract void completed() throws IOException;
}
