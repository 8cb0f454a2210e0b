package dev.ferry.worker;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.checksum.Checksum;
import dev.ferry.disk.convert.ImportOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The part of the worker contract every data worker reads the same way: the volume
 * ({@code FERRY_DATA_PATH} → disk at {@code /data/disk.img}, or {@code FERRY_BLOCK_PATH}), what
 * to write ({@code FERRY_CONTENT_TYPE}, {@code FERRY_IMAGE_SIZE}, {@code FERRY_CHECKSUM},
 * {@code FERRY_PREALLOCATION}), where the result goes ({@code FERRY_TERMINATION_LOG}) and the
 * metrics port ({@code FERRY_METRICS_PORT}: default 8443; 0 any free port; -1 none).
 */
public record WorkerEnvironment(Map<String, String> env) {

    public boolean archive() {
        return "archive".equals(env.getOrDefault("FERRY_CONTENT_TYPE", "kubevirt"));
    }

    public ImportOptions importOptions() throws DiskException {
        long size = env.containsKey("FERRY_IMAGE_SIZE") ? size(env.get("FERRY_IMAGE_SIZE")) : -1;
        Checksum checksum = env.containsKey("FERRY_CHECKSUM") ? Checksum.parse(env.get("FERRY_CHECKSUM")) : null;
        return new ImportOptions(archive(), size, checksum,
                Boolean.parseBoolean(env.getOrDefault("FERRY_PREALLOCATION", "false")));
    }

    /** The block device when the volume is one, else the disk file (the data directory itself, for archives). */
    public Path destination() {
        Path block = Path.of(env.getOrDefault("FERRY_BLOCK_PATH", "/dev/ferry-block"));
        if (Files.exists(block)) {
            return block;
        }
        Path data = Path.of(env.getOrDefault("FERRY_DATA_PATH", "/data"));
        return archive() ? data : data.resolve("disk.img");
    }

    /** Where the result goes; readable even when the rest of the configuration is not. */
    public Path terminationLog() {
        return Path.of(env.getOrDefault("FERRY_TERMINATION_LOG", "/dev/termination-log"));
    }

    public int metricsPort() {
        return metricsPort(8443);
    }

    /** For workers whose own port is 8443 (the upload server), a different default. */
    public int metricsPort(int fallback) {
        return Integer.parseInt(env.getOrDefault("FERRY_METRICS_PORT", String.valueOf(fallback)));
    }

    public String ownerUid() {
        return env.getOrDefault("FERRY_OWNER_UID", "");
    }

    public String get(String name, String fallback) {
        return env.getOrDefault(name, fallback);
    }

    /** A file path, or null when unset or blank. */
    public Path path(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    public String required(String name) throws DiskException {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, name + " is not set");
        }
        return value;
    }

    private static long size(String value) throws DiskException {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "FERRY_IMAGE_SIZE: " + e.getMessage());
        }
    }
}
