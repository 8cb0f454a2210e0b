package dev.ferry.controllers.schedule;

import dev.ferry.controllers.runtime.ObjectKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per schedule (kind, namespace, name): snapshots taken, seen failed and expired since the
 * controller started, and the next run — what {@code /metrics} reports.
 */
public final class ScheduleCounters {
    /** One schedule's numbers. */
    public static final class Counts {
        public final AtomicLong taken = new AtomicLong();
        public final AtomicLong failed = new AtomicLong();
        public final AtomicLong expired = new AtomicLong();
        public volatile Instant next;
    }

    /** A schedule: its kind ({@code VirtualMachineSnapshotSchedule} or {@code SnapshotSchedule}) and key. */
    public record Key(String kind, ObjectKey schedule) {
    }

    private final Map<Key, Counts> counts = new ConcurrentHashMap<>();

    public Counts of(String kind, ObjectKey schedule) {
        return counts.computeIfAbsent(new Key(kind, schedule), k -> new Counts());
    }

    /** A schedule that is gone stops being reported. */
    public void forget(String kind, ObjectKey schedule) {
        counts.remove(new Key(kind, schedule));
    }

    public Map<Key, Counts> all() {
        return counts;
    }
}
