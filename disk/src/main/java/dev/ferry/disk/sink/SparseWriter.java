package dev.ferry.disk.sink;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.progress.TransferProgress;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes guest data into a {@link DiskTarget}, skipping zero runs at {@value #GRAIN}-byte
 * granularity (as {@code qemu-img convert -S 4k}) and refusing anything past the disk's limit.
 * Thread-safe: it holds no mutable state besides the shared progress counters.
 */
public final class SparseWriter {
    public static final int GRAIN = 4096;

    private final DiskTarget target;
    private final long limit;
    private final TransferProgress progress;

    /**
     * @param limit the disk's size; writes beyond it are refused as "image larger than target"
     */
    public SparseWriter(DiskTarget target, long limit, TransferProgress progress) {
        this.target = target;
        this.limit = limit;
        this.progress = progress;
    }

    public long limit() {
        return limit;
    }

    /** Writes the remaining bytes of {@code data} at guest {@code offset}. */
    public void write(long offset, ByteBuffer data) throws IOException {
        int from = data.position();
        int to = data.limit();
        checkBounds(offset, to - from);
        int runStart = from;
        boolean runIsZero = false;
        int at = from;
        while (at < to) {
            int grainEnd = (int) Math.min(to, at + GRAIN - Math.floorMod(offset + at - from, GRAIN));
            boolean zero = ZeroScan.isZero(data, at, grainEnd);
            if (at > runStart && zero != runIsZero) {
                flush(offset + runStart - from, data, runStart, at, runIsZero);
                runStart = at;
            }
            runIsZero = zero;
            at = grainEnd;
        }
        if (to > runStart) {
            flush(offset + runStart - from, data, runStart, to, runIsZero);
        }
        progress.written(to - from);
    }

    /** Makes {@code [offset, offset + length)} of the guest read as zeros. */
    public void zero(long offset, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        checkBounds(offset, length);
        target.writeZeros(offset, length);
        progress.written(length);
    }

    private void flush(long offset, ByteBuffer data, int from, int to, boolean zero) throws IOException {
        if (zero) {
            target.writeZeros(offset, to - from);
        } else {
            target.writeData(offset, data.slice(from, to - from));
        }
    }

    private void checkBounds(long offset, long length) throws DiskException {
        if (offset < 0 || offset + length > limit) {
            throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, String.format(
                    "image is larger than the target: data at offset %d (%s) goes past the %s available on %s",
                    offset + length, Sizes.human(offset + length), Sizes.human(limit), target.describe()));
        }
    }
}
