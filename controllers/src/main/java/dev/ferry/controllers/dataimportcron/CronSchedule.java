package dev.ferry.controllers.dataimportcron;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A DataImportCron's schedule: a 5-field (Unix) cron expression evaluated in UTC — no time zone,
 * so no daylight-saving gaps or repeats — as a pure function of the time it is asked about.
 * Missed runs are not back-filled: the next run is always the first one after now.
 */
public final class CronSchedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private CronSchedule() {
    }

    /** Why {@code schedule} is not a 5-field cron expression, or null; empty means "only on demand" and is fine. */
    public static String problem(String schedule) {
        if (schedule == null || schedule.isBlank()) {
            return null;
        }
        try {
            PARSER.parse(schedule).validate();
            return null;
        } catch (IllegalArgumentException e) {
            return "schedule \"" + schedule + "\" is not a 5-field cron expression: " + e.getMessage();
        }
    }

    /** The first run strictly after {@code after}; empty for an empty schedule. */
    public static Optional<Instant> next(String schedule, Instant after) {
        if (schedule == null || schedule.isBlank()) {
            return Optional.empty();
        }
        return ExecutionTime.forCron(PARSER.parse(schedule)).nextExecution(after.atZone(ZoneOffset.UTC)).map(t -> t.toInstant());
    }
}
