package dev.ferry.controllers.runtime;

/** A Kubernetes event a decision asks for: type Normal or Warning, a constant reason, a message. */
public record Event(String type, String reason, String message) {
    public static Event normal(String reason, String message) {
        return new Event("Normal", reason, message);
    }

    public static Event warning(String reason, String message) {
        return new Event("Warning", reason, message);
    }
}
