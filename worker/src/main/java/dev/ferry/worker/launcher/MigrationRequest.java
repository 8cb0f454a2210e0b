package dev.ferry.worker.launcher;

/**
 * The node handler's request to a source launcher: send the guest to the target launcher's
 * libvirt ({@code targetUri}), memory over {@code migrationUri} (tcp://host:port), the disks
 * shared. {@code consoleTo} is the target's console log (the source maps its own files there);
 * {@code unsafe} when both ends share one host (the disk is the same file). Limits are KubeVirt's
 * migration settings; 0 means none.
 */
public record MigrationRequest(String targetUri, String migrationUri, String consoleTo, boolean unsafe, long maxDowntimeMillis,
        long bandwidthMiBps, long completionTimeoutSeconds, long progressTimeoutSeconds) {
}
