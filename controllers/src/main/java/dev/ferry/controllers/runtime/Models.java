package dev.ferry.controllers.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Model objects as decisions handle them. */
public final class Models {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Models() {
    }

    /** A deep copy, through JSON (a decision never changes what it observed); null stays null. */
    public static <T> T copy(T value, Class<T> type) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.readValue(JSON.writeValueAsBytes(value), type);
        } catch (IOException e) {
            throw new IllegalStateException("a model object is plain JSON", e);
        }
    }
}
