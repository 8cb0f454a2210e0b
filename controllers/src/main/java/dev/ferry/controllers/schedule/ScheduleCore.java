package dev.ferry.controllers.schedule;

import dev.ferry.controllers.dataimportcron.CronSchedule;
import dev.ferry.controllers.runtime.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What both snapshot schedules (VMs and claims) decide alike, as snapscheduler does: when the
 * next run is (a cron expression or a macro, UTC, from the time asked — missed runs are not
 * back-filled), whether a run is due, how its snapshots are named, which snapshots expire (older
 * than {@code expires}, or beyond the newest {@code maxCount} of their source: the union), and
 * when to look again.
 */
public final class ScheduleCore {
    /** At most this long between two looks at a schedule (snapscheduler's requeue). */
    public static final Duration MAX_REQUEUE = Duration.ofMinutes(5);
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);
    private static final int MAX_NAME = 253;

    private ScheduleCore() {
    }

    /** The cron expression a schedule stands for (macros expanded). */
    static String cron(String schedule) {
        String trimmed = schedule == null ? "" : schedule.trim();
        return MACROS.getOrDefault(trimmed, trimmed);
    }

    /** Why {@code schedule} cannot be used, or null. */
    public static String problem(String schedule) {
        if (schedule == null || schedule.isBlank()) {
            return "schedule is empty: a 5-field cron expression or @hourly, @daily, @weekly, @monthly, @yearly";
        }
        String problem = CronSchedule.problem(cron(schedule));
        return problem == null ? null : problem + " (or a macro: @hourly, @daily, @weekly, @monthly, @yearly)";
    }

    /** The first run strictly after {@code after}. */
    public static Instant next(String schedule, Instant after) {
        return CronSchedule.next(cron(schedule), after).orElseThrow();
    }

    /**
     * One look at a schedule: the run due now ({@code slot}, the scheduled time it stands for, or
     * null) and the next run to wait for. A schedule seen for the first time waits for its first
     * run; a run is due once its time has come, unless the schedule is disabled; after a run the
     * next is the first one after now, so runs missed while nothing looked are not made up.
     */
    public record Timing(Instant slot, Instant next) {
        public Duration requeue(Instant now) {
            Duration left = Duration.between(now, next);
            return left.isNegative() ? Duration.ZERO : left.compareTo(MAX_REQUEUE) < 0 ? left.plusMillis(50) : MAX_REQUEUE;
        }
    }

    public static Timing timing(String schedule, boolean disabled, Instant recordedNext, Instant now) {
        if (recordedNext == null) {
            return new Timing(null, next(schedule, now));
        }
        if (!now.isBefore(recordedNext)) {
            return new Timing(disabled ? null : recordedNext, next(schedule, now));
        }
        return new Timing(null, recordedNext);
    }

    /** The scheduled time as names and labels carry it: YYYYMMDDHHMM in UTC. */
    public static String stamp(Instant slot) {
        return STAMP.format(slot);
    }

    /** A name of these parts joined by dashes, cut to Kubernetes' 253 characters. */
    public static String name(String... parts) {
        String joined = String.join("-", parts);
        return joined.length() <= MAX_NAME ? joined : joined.substring(0, MAX_NAME);
    }

    /** Why a retention cannot be used, or null. */
    public static String retentionProblem(String expires, Integer maxCount) {
        if (maxCount != null && maxCount < 1) {
            return "retention.maxCount must be at least 1, not " + maxCount;
        }
        if (expires != null) {
            try {
                GoDuration.parse(expires);
            } catch (IllegalArgumentException e) {
                return "retention.expires \"" + expires + "\" is not a duration such as 168h or 90m";
            }
        }
        return null;
    }

    /** A snapshot a schedule took: its name, what it is of (a VM or a claim), and when it was made. */
    public record Taken(String name, String source, Instant created) {
    }

    /**
     * The snapshots that expire: made before {@code now - expires}, and per source all but the
     * newest {@code maxCount} — both rules, whichever removes a snapshot. Null rules keep all.
     */
    public static List<String> expired(List<Taken> taken, String expires, Integer maxCount, Instant now) {
        Set<String> gone = new LinkedHashSet<>();
        if (expires != null) {
            Instant cutoff = now.minus(GoDuration.parse(expires));
            taken.stream().filter(t -> t.created().isBefore(cutoff)).sorted(Comparator.comparing(Taken::created))
                    .forEach(t -> gone.add(t.name()));
        }
        if (maxCount != null && maxCount >= 1) {
            Map<String, List<Taken>> bySource = new LinkedHashMap<>();
            taken.forEach(t -> bySource.computeIfAbsent(t.source(), s -> new ArrayList<>()).add(t));
            for (List<Taken> ofSource : bySource.values()) {
                ofSource.sort(Comparator.comparing(Taken::created).thenComparing(Taken::name));
                for (int i = 0; i < ofSource.size() - maxCount; i++) {
                    gone.add(ofSource.get(i).name());
                }
            }
        }
        return List.copyOf(gone);
    }
}
