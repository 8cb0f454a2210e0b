package dev.ferry.cli;

import dev.ferry.disk.DiskException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Kubernetes users write them: {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms}. */
final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    static Duration parse(String option, String text) throws DiskException {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, option + ": '" + text
                    + "' is not a duration (e.g. 500ms, 90s, 5m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
