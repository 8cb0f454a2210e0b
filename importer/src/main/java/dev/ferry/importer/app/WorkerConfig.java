package dev.ferry.importer.app;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.checksum.Checksum;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.importer.source.SourceOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The importer worker's configuration, read from {@code FERRY_*} environment variables as a
 * Pod (or the local node agent) provides them.
 *
 * <table>
 * <tr><td>FERRY_SOURCE_URL</td><td>what to import (http(s)://, s3://, docker://, file://)</td></tr>
 * <tr><td>FERRY_CONTENT_TYPE</td><td>kubevirt (default) or archive</td></tr>
 * <tr><td>FERRY_IMAGE_SIZE</td><td>requested disk size (e.g. 10Gi)</td></tr>
 * <tr><td>FERRY_CHECKSUM</td><td>algo:hex of the source bytes</td></tr>
 * <tr><td>FERRY_PREALLOCATION</td><td>true to allocate the whole disk</td></tr>
 * <tr><td>FERRY_CERT_DIR, FERRY_INSECURE_TLS, FERRY_EXTRA_HEADERS, FERRY_SECRET_DIR</td><td>source access</td></tr>
 * <tr><td>FERRY_RETRIES, FERRY_STALL_TIMEOUT_SECONDS, FERRY_S3_ENDPOINT, FERRY_PLATFORM</td><td>transfer policy</td></tr>
 * <tr><td>FERRY_DATA_PATH / FERRY_BLOCK_PATH</td><td>the volume: /data (disk at /data/disk.img) or /dev/ferry-block</td></tr>
 * <tr><td>FERRY_METRICS_PORT</td><td>Prometheus port (default 8443; 0: any free port; -1: none)</td></tr>
 * <tr><td>FERRY_TERMINATION_LOG</td><td>where the result goes (default /dev/termination-log)</td></tr>
 * </table>
 */
record WorkerConfig(String source, SourceOptions sourceOptions, ImportOptions importOptions, Path destination,
        int metricsPort) {

    static WorkerConfig fromEnvironment(Map<String, String> env) throws DiskException {
        String source = required(env, "FERRY_SOURCE_URL");
        boolean archive = "archive".equals(env.getOrDefault("FERRY_CONTENT_TYPE", "kubevirt"));
        long size = env.containsKey("FERRY_IMAGE_SIZE") ? size(env.get("FERRY_IMAGE_SIZE")) : -1;
        Checksum checksum = env.containsKey("FERRY_CHECKSUM") ? Checksum.parse(env.get("FERRY_CHECKSUM")) : null;
        ImportOptions importOptions = new ImportOptions(archive, size, checksum,
                Boolean.parseBoolean(env.getOrDefault("FERRY_PREALLOCATION", "false")));
        SourceOptions sourceOptions = new SourceOptions(path(env, "FERRY_CERT_DIR"),
                Boolean.parseBoolean(env.getOrDefault("FERRY_INSECURE_TLS", "false")), headers(env),
                path(env, "FERRY_SECRET_DIR"),
                Integer.parseInt(env.getOrDefault("FERRY_RETRIES", String.valueOf(SourceOptions.DEFAULT_RETRIES))),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("FERRY_STALL_TIMEOUT_SECONDS",
                        String.valueOf(SourceOptions.DEFAULT_STALL_TIMEOUT.toSeconds())))),
                env.get("FERRY_S3_ENDPOINT"), env.get("FERRY_PLATFORM"));
        return new WorkerConfig(source, sourceOptions, importOptions, destination(env, archive),
                Integer.parseInt(env.getOrDefault("FERRY_METRICS_PORT", "8443")));
    }

    /** Where the result goes; readable even when the rest of the configuration is not. */
    static Path terminationLog(Map<String, String> env) {
        return Path.of(env.getOrDefault("FERRY_TERMINATION_LOG", "/dev/termination-log"));
    }

    /** The block device when the volume is one, else the data directory (itself, for archives). */
    private static Path destination(Map<String, String> env, boolean archive) {
        Path block = Path.of(env.getOrDefault("FERRY_BLOCK_PATH", "/dev/ferry-block"));
        if (Files.exists(block)) {
            return block;
        }
        Path data = Path.of(env.getOrDefault("FERRY_DATA_PATH", "/data"));
        return archive ? data : data.resolve("disk.img");
    }

    private static List<String> headers(Map<String, String> env) {
        String value = env.getOrDefault("FERRY_EXTRA_HEADERS", "");
        return value.isBlank() ? List.of() : Arrays.stream(value.split("\n")).filter(s -> !s.isBlank()).toList();
    }

    private static Path path(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static long size(String value) throws DiskException {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "FERRY_IMAGE_SIZE: " + e.getMessage());
        }
    }

    private static String required(Map<String, String> env, String name) throws DiskException {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, name + " is not set");
        }
        return value;
    }
}
