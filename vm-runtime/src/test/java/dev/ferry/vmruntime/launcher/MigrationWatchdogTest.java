package dev.ferry.vmruntime.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** KubeVirt's completion and progress timeouts on a clock the test moves. */
class MigrationWatchdogTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void completionTimeoutCountsFromTheStart() {
        MigrationWatchdog watchdog = new MigrationWatchdog(T0, Duration.ofSeconds(3), Duration.ZERO);
        assertThat(watchdog.check(T0.plusSeconds(2), 100)).isNull();
        assertThat(watchdog.check(T0.plusSeconds(3), 50)).isNull();
        assertThat(watchdog.check(T0.plusMillis(3001), 10)).isEqualTo(
                "the migration did not complete within 3 s (completionTimeoutPerGiB)");
    }

    @Test
    void progressTimeoutCountsFromTheLastNewLow() {
        MigrationWatchdog watchdog = new MigrationWatchdog(T0, Duration.ZERO, Duration.ofSeconds(150));
        assertThat(watchdog.check(T0.plusSeconds(100), 1000)).isNull();
        assertThat(watchdog.check(T0.plusSeconds(200), 900)).as("a new low resets the clock").isNull();
        assertThat(watchdog.check(T0.plusSeconds(340), 950)).as("dirtied again: no new low, but within 150 s").isNull();
        assertThat(watchdog.check(T0.plusSeconds(351), 920)).isEqualTo(
                "the migration made no progress for 150 s (progressTimeout)");
    }

    @Test
    void unknownRemainingNeverCountsAsProgressAndZeroMeansNoLimit() {
        MigrationWatchdog none = new MigrationWatchdog(T0, Duration.ZERO, Duration.ZERO);
        assertThat(none.check(T0.plusSeconds(100_000), -1)).isNull();
        MigrationWatchdog progress = new MigrationWatchdog(T0, Duration.ZERO, Duration.ofSeconds(10));
        assertThat(progress.check(T0.plusSeconds(11), -1)).contains("no progress for 10 s");
    }

    @Test
    void theTargetGetsTheLaunchersOwnFilesUnderItsDirectory() {
        String xml = "<serial><log file='/a/console/console.log'/></serial><disk><source file='/a/console/cloud-init/seed.iso'/>";
        assertThat(MigrationJob.retarget(xml, java.nio.file.Path.of("/a/console/console.log"), "/b/console/console.log"))
                .isEqualTo("<serial><log file='/b/console/console.log'/></serial><disk><source file='/b/console/cloud-init/seed.iso'/>");
    }
}
