package dev.ferry.worker.launcher;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** Where a launcher's guest is, as the launcher reports it to the node handler. */
public enum LauncherState {
    STARTING("Starting"),
    WAITING_FOR_MIGRATION("WaitingForMigration"),
    RUNNING("Running"),
    PAUSED("Paused"),
    MIGRATING("Migrating"),
    MIGRATED("Migrated"),
    STOPPING("Stopping"),
    STOPPED("Stopped");

    private final String label;

    LauncherState(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    @JsonCreator
    public static LauncherState of(String label) {
        return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no launcher state " + label));
    }

    /** A guest that runs here, paused or not: the only states a pause, unpause or migration applies to. */
    public boolean hasGuest() {
        return this == RUNNING || this == PAUSED;
    }
}
