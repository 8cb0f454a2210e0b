package dev.ferry.api.snapshot.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An error a snapshot reports: when and what. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotError {
    public String time;
    public String message;

    public SnapshotError() {
    }

    public SnapshotError(String time, String message) {
        this.time = time;
        this.message = message;
    }
}
