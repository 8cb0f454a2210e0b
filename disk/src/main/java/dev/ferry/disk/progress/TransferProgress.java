package dev.ferry.disk.progress;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a running transfer, shared between the pipeline's threads and whoever reports
 * progress (a terminal bar, a metrics endpoint). Totals are -1 while unknown.
 */
public final class TransferProgress {
    private final LongAdder sourceBytes = new LongAdder();
    private final LongAdder writtenBytes = new LongAdder();
    private final AtomicLong sourceTotal = new AtomicLong(-1);
    private final AtomicLong diskTotal = new AtomicLong(-1);

    public void read(long bytes) {
        sourceBytes.add(bytes);
    }

    public void written(long bytes) {
        writtenBytes.add(bytes);
    }

    public void sourceTotal(long bytes) {
        sourceTotal.set(bytes);
    }

    public void diskTotal(long bytes) {
        diskTotal.set(bytes);
    }

    public long sourceBytes() {
        return sourceBytes.sum();
    }

    public long writtenBytes() {
        return writtenBytes.sum();
    }

    public long sourceTotal() {
        return sourceTotal.get();
    }

    public long diskTotal() {
        return diskTotal.get();
    }

    /** Starts counting again, for a transfer restarted from the beginning. */
    public void reset() {
        sourceBytes.reset();
        writtenBytes.reset();
        sourceTotal.set(-1);
        diskTotal.set(-1);
    }

    /** Percent done, 0–100, from whichever total is known (disk first), or -1. */
    public double percent() {
        long disk = diskTotal();
        if (disk > 0) {
            return Math.min(100.0, 100.0 * writtenBytes() / disk);
        }
        long source = sourceTotal();
        if (source > 0) {
            return Math.min(100.0, 100.0 * sourceBytes() / source);
        }
        return -1;
    }
}
