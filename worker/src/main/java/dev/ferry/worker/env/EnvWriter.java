package dev.ferry.worker.env;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a process environment in a stable order; unset (null or empty) values are left out. */
final class EnvWriter {
    private final Map<String, String> env = new LinkedHashMap<>();

    EnvWriter put(String key, Object value) {
        if (value != null && !value.toString().isEmpty()) {
            env.put(key, value.toString());
        }
        return this;
    }

    EnvWriter flag(String key, boolean value) {
        return value ? put(key, "true") : this;
    }

    EnvWriter list(String key, String separator, List<String> values) {
        return values == null || values.isEmpty() ? this : put(key, String.join(separator, values));
    }

    EnvWriter all(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    Map<String, String> map() {
        return env;
    }
}
