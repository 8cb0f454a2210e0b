package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Typed reads of a process environment; a blank value counts as unset, a malformed one names its variable. */
final class EnvReader {
    private final Map<String, String> env;

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    String string(String key, String fallback) {
        String value = env.get(key);
        return value == null || value.isBlank() ? fallback : value;
    }

    String required(String key) {
        String value = string(key, null);
        if (value == null) {
            throw new InvalidEnvironmentException(key + " is not set");
        }
        return value;
    }

    int integer(String key, int fallback) {
        return (int) number(key, fallback);
    }

    long number(String key, long fallback) {
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidEnvironmentException(key + ": '" + value + "' is not a whole number");
        }
    }

    boolean bool(String key, boolean fallback) {
        String value = string(key, null);
        return value == null ? fallback : Boolean.parseBoolean(value.strip());
    }

    Path path(String key) {
        String value = string(key, null);
        return value == null ? null : Path.of(value);
    }

    Path path(String key, String fallback) {
        return Path.of(string(key, fallback));
    }

    List<String> list(String key, String separator) {
        String value = string(key, null);
        return value == null ? List.of()
                : Arrays.stream(value.split(separator)).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    Map<String, String> all() {
        return env;
    }
}
