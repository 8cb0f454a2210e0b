package dev.ferry.controllers.runtime;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes' {@code metav1.Duration} as Go spells it: {@code 5m}, {@code 1h2m3s}, {@code 1.5s}, {@code 300ms}, {@code 0s}. */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    /** The duration, or an IllegalArgumentException naming what is wrong. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an empty duration");
        }
        if ("0".equals(text)) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        int at = 0;
        double nanos = 0;
        while (m.find() && m.start() == at) {
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (at != text.length() || at == 0) {
            throw new IllegalArgumentException("duration " + text + " is not a Go duration (e.g. 5m, 1h30m, 90s)");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** As Go prints it: {@code 5m0s}, {@code 1h0m0s}, {@code 30s}. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return (h > 0 ? h + "h" : "") + m + "m" + s + "s";
    }
}
