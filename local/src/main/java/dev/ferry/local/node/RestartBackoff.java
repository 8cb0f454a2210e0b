package dev.ferry.local.node;

import java.time.Duration;

/** A kubelet's container restart back-off: 10 s doubling to at most 5 minutes. */
final class RestartBackoff {
    static final Duration FIRST = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);

    private RestartBackoff() {
    }

    /** The wait before restart number {@code restarts + 1}. */
    static Duration delay(int restarts) {
        Duration delay = FIRST.multipliedBy(1L << Math.min(restarts, 5));
        return delay.compareTo(MAX) > 0 ? MAX : delay;
    }
}
