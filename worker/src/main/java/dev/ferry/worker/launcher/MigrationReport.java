package dev.ferry.worker.launcher;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The last migration a source launcher ran: Running, then Succeeded with QEMU's statistics (the
 * switch-over pause, the job's elapsed time, the libvirt call's wall time, bytes sent) or Failed
 * with the reason. Timestamps are RFC 3339.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationReport(Phase phase, String startTimestamp, String endTimestamp, Long downtimeMillis, Long totalMillis,
        Long callMillis, Long dataBytes, String message) {

    public enum Phase { Running, Succeeded, Failed }

    public static MigrationReport running(String start) {
        return new MigrationReport(Phase.Running, start, null, null, null, null, null, null);
    }

    public MigrationReport succeeded(String end, long downtime, long total, long call, long bytes) {
        return new MigrationReport(Phase.Succeeded, startTimestamp, end, downtime, total, call, bytes, null);
    }

    public MigrationReport failed(String end, String why) {
        return new MigrationReport(Phase.Failed, startTimestamp, end, null, null, null, null, why);
    }
}
