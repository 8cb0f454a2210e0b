package dev.ferry.disk.sink;

import java.nio.ByteBuffer;

/** Finds zero blocks in a buffer using the JDK's vectorised {@link ByteBuffer#mismatch}. */
public final class ZeroScan {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 21).asReadOnlyBuffer();

    private ZeroScan() {
    }

    /** Index of the first non-zero byte in {@code [from, to)} of {@code buffer} (absolute), or -1. */
    public static int firstNonZero(ByteBuffer buffer, int from, int to) {
        int at = from;
        while (at < to) {
            int chunk = Math.min(to - at, ZEROS.capacity());
            int mismatch = buffer.slice(at, chunk).mismatch(ZEROS.slice(0, chunk));
            if (mismatch >= 0) {
                return at + mismatch;
            }
            at += chunk;
        }
        return -1;
    }

    /** Whether {@code [from, to)} of {@code buffer} is all zeros; checks the first word before scanning. */
    public static boolean isZero(ByteBuffer buffer, int from, int to) {
        if (to - from >= Long.BYTES && buffer.getLong(from) != 0) {
            return false;
        }
        return firstNonZero(buffer, from, to) < 0;
    }
}
