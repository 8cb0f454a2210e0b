package dev.ferry.controllers.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleCoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:30Z");

    @Test
    void cronAndMacrosInUtcWithoutDaylightSaving() {
        assertThat(ScheduleCore.next("*/1 * * * *", T0)).isEqualTo("2026-03-01T00:01:00Z");
        assertThat(ScheduleCore.next("@hourly", T0)).isEqualTo("2026-03-01T01:00:00Z");
        assertThat(ScheduleCore.next("@daily", T0)).isEqualTo("2026-03-02T00:00:00Z");
        assertThat(ScheduleCore.next("@weekly", T0)).as("the next Sunday, 00:00").isEqualTo("2026-03-08T00:00:00Z");
        assertThat(ScheduleCore.next("@monthly", T0)).isEqualTo("2026-04-01T00:00:00Z");
        assertThat(ScheduleCore.next("@yearly", T0)).isEqualTo(ScheduleCore.next("@annually", T0)).isEqualTo("2027-01-01T00:00:00Z");
        // 29 March 2026 is the EU's switch to summer time: UTC has no gap, the 02:30 run happens once
        assertThat(ScheduleCore.next("30 2 * * *", Instant.parse("2026-03-29T00:00:00Z"))).isEqualTo("2026-03-29T02:30:00Z");
        assertThat(ScheduleCore.problem("@fortnightly")).contains("not a 5-field cron expression").contains("@hourly");
        assertThat(ScheduleCore.problem("0 0 * * * *")).contains("not a 5-field cron expression");
        assertThat(ScheduleCore.problem("")).contains("schedule is empty");
        assertThat(ScheduleCore.problem("@weekly")).isNull();
    }

    @Test
    void aRunIsDueOnceItsTimeHasComeAndMissedRunsAreNotMadeUp() {
        ScheduleCore.Timing first = ScheduleCore.timing("@hourly", false, null, T0);
        assertThat(first.slot()).as("a new schedule waits for its first run").isNull();
        assertThat(first.next()).isEqualTo("2026-03-01T01:00:00Z");
        assertThat(first.requeue(T0)).as("looked at again within 5 minutes").isEqualTo(Duration.ofMinutes(5));

        Instant before = Instant.parse("2026-03-01T00:59:59.990Z");
        ScheduleCore.Timing early = ScheduleCore.timing("@hourly", false, first.next(), before);
        assertThat(early.slot()).isNull();
        assertThat(early.requeue(before)).isEqualTo(Duration.ofMillis(60));

        // nothing looked between 01:00 and 04:10: one run, for the 01:00 slot, then 05:00 — no back-fill
        Instant late = Instant.parse("2026-03-01T04:10:00Z");
        ScheduleCore.Timing missed = ScheduleCore.timing("@hourly", false, first.next(), late);
        assertThat(missed.slot()).isEqualTo("2026-03-01T01:00:00Z");
        assertThat(missed.next()).isEqualTo("2026-03-01T05:00:00Z");
        assertThat(ScheduleCore.stamp(missed.slot())).isEqualTo("202603010100");

        ScheduleCore.Timing disabled = ScheduleCore.timing("@hourly", true, first.next(), late);
        assertThat(disabled.slot()).as("disabled: no run, the next one still moves on").isNull();
        assertThat(disabled.next()).isEqualTo("2026-03-01T05:00:00Z");
    }

    @Test
    void expiryByAgeAndByCountPerSourceIsTheUnion() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        List<ScheduleCore.Taken> taken = List.of(
                new ScheduleCore.Taken("a-1", "a", now.minus(Duration.ofMinutes(200))),
                new ScheduleCore.Taken("a-2", "a", now.minus(Duration.ofMinutes(100))),
                new ScheduleCore.Taken("a-3", "a", now.minus(Duration.ofMinutes(60))),
                new ScheduleCore.Taken("a-4", "a", now.minus(Duration.ofMinutes(1))),
                new ScheduleCore.Taken("b-1", "b", now.minus(Duration.ofMinutes(95))),
                new ScheduleCore.Taken("b-2", "b", now.minus(Duration.ofMinutes(5))));
        assertThat(ScheduleCore.expired(taken, null, null, now)).isEmpty();
        assertThat(ScheduleCore.expired(taken, "90m", null, now)).containsExactly("a-1", "a-2", "b-1");
        assertThat(ScheduleCore.expired(taken, null, 3, now)).containsExactly("a-1");
        assertThat(ScheduleCore.expired(taken, null, 1, now)).containsExactlyInAnyOrder("a-1", "a-2", "a-3", "b-1");
        assertThat(ScheduleCore.expired(taken, "150m", 2, now)).containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(ScheduleCore.retentionProblem("90m", 0)).contains("at least 1");
        assertThat(ScheduleCore.retentionProblem("ninety minutes", 3)).contains("not a duration");
        assertThat(ScheduleCore.retentionProblem("168h", 3)).isNull();
    }

    @Test
    void namesAreCutToKubernetesLength() {
        assertThat(ScheduleCore.name("nightly", "db", "202603010100")).isEqualTo("nightly-db-202603010100");
        assertThat(ScheduleCore.name("x".repeat(200), "y".repeat(100), "202603010100")).hasSize(253);
    }
}
