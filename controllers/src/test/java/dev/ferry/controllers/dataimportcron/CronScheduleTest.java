package dev.ferry.controllers.dataimportcron;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Cron schedules in UTC: next runs, no back-filling, no daylight-saving effects, invalid expressions named. */
class CronScheduleTest {
    @Test
    void theNextRunIsTheFirstAfterNowInUtc() {
        // 2026-12-07 is a Monday
        assertThat(CronSchedule.next("30 1 * * 1", Instant.parse("2026-12-07T00:00:00Z"))).contains(Instant.parse("2026-12-07T01:30:00Z"));
        assertThat(CronSchedule.next("30 1 * * 1", Instant.parse("2026-12-07T01:30:00Z")))
                .as("strictly after: a run at exactly now is not run again").contains(Instant.parse("2026-12-14T01:30:00Z"));
        assertThat(CronSchedule.next("*/5 * * * *", Instant.parse("2026-12-07T10:07:13Z"))).contains(Instant.parse("2026-12-07T10:10:00Z"));
    }

    @Test
    void missedRunsAreNotBackFilled() {
        // asked long after: the next run is after now, not the first one missed
        assertThat(CronSchedule.next("0 * * * *", Instant.parse("2026-12-09T15:20:00Z"))).contains(Instant.parse("2026-12-09T16:00:00Z"));
    }

    @Test
    void daylightSavingChangesDoNotMoveRuns() {
        // the night Europe and the US change clocks: 02:30 UTC still happens once, 24 h apart
        assertThat(CronSchedule.next("30 2 * * *", Instant.parse("2026-03-29T00:00:00Z"))).contains(Instant.parse("2026-03-29T02:30:00Z"));
        assertThat(CronSchedule.next("30 2 * * *", Instant.parse("2026-03-29T02:30:00Z"))).contains(Instant.parse("2026-03-30T02:30:00Z"));
        assertThat(CronSchedule.next("30 2 * * *", Instant.parse("2026-11-01T00:00:00Z"))).contains(Instant.parse("2026-11-01T02:30:00Z"));
    }

    @Test
    void anEmptyScheduleHasNoRunsAndABadOneSaysWhy() {
        assertThat(CronSchedule.next("", Instant.EPOCH)).isEmpty();
        assertThat(CronSchedule.problem("")).isNull();
        assertThat(CronSchedule.problem("0 1 * * *")).isNull();
        assertThat(CronSchedule.problem("every day")).contains("every day", "5-field");
        assertThat(CronSchedule.problem("0 0 1 * * *")).as("six fields (seconds) are not CDI's").isNotNull();
    }
}
