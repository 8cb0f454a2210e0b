package dev.ferry.disk;

import java.util.Locale;

/** Byte sizes in the binary units users type and read (10Gi, 512Mi, 4 KiB). */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    /** Formats a size for people: {@code 2 GiB}, {@code 1.5 MiB}, {@code 512 B}. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        double value = bytes / Math.pow(1024, unit);
        String number = value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + UNITS[unit];
    }

    /**
     * Parses a Kubernetes-style quantity ({@code 10Gi}, {@code 500M}, {@code 1073741824}) into bytes.
     *
     * @throws IllegalArgumentException when the text is not a size
     */
    public static long parse(String text) {
        String s = text.trim();
        int split = 0;
        while (split < s.length() && (Character.isDigit(s.charAt(split)) || s.charAt(split) == '.')) {
            split++;
        }
        if (split == 0) {
            throw new IllegalArgumentException("not a size: '" + text + "' (expected e.g. 10Gi, 512Mi, 1073741824)");
        }
        double number = Double.parseDouble(s.substring(0, split));
        long multiplier = switch (s.substring(split)) {
            case "", "B" -> 1L;
            case "k", "K" -> 1000L;
            case "M" -> 1000L * 1000;
            case "G" -> 1000L * 1000 * 1000;
            case "T" -> 1000L * 1000 * 1000 * 1000;
            case "Ki", "KiB" -> 1L << 10;
            case "Mi", "MiB" -> 1L << 20;
            case "Gi", "GiB" -> 1L << 30;
            case "Ti", "TiB" -> 1L << 40;
            case "Pi", "PiB" -> 1L << 50;
            default -> throw new IllegalArgumentException("unknown size unit in '" + text + "' (use Ki, Mi, Gi, Ti or k, M, G, T)");
        };
        double bytes = number * multiplier;
        if (bytes > Long.MAX_VALUE) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return (long) bytes;
    }
}
