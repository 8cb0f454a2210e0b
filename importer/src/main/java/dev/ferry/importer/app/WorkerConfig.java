package dev.ferry.importer.app;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.worker.WorkerEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The importer worker's configuration, read from {@code FERRY_*} environment variables as a
 * Pod (or the local node agent) provides them; the volume, options, metrics port and
 * termination log as every worker reads them ({@link WorkerEnvironment}), plus:
 *
 * <table>
 * <tr><td>FERRY_SOURCE_URL</td><td>what to import (http(s)://, s3://, docker://, file://, blank:)</td></tr>
 * <tr><td>FERRY_CERT_DIR, FERRY_INSECURE_TLS, FERRY_EXTRA_HEADERS, FERRY_SECRET_DIR</td><td>source access</td></tr>
 * <tr><td>FERRY_RETRIES, FERRY_STALL_TIMEOUT_SECONDS, FERRY_S3_ENDPOINT, FERRY_PLATFORM</td><td>transfer policy</td></tr>
 * </table>
 */
record WorkerConfig(String source, SourceOptions sourceOptions, ImportOptions importOptions, Path destination,
        int metricsPort) {

    static WorkerConfig fromEnvironment(WorkerEnvironment env) throws DiskException {
        String source = env.required("FERRY_SOURCE_URL");
        SourceOptions sourceOptions = new SourceOptions(env.path("FERRY_CERT_DIR"),
                Boolean.parseBoolean(env.get("FERRY_INSECURE_TLS", "false")), headers(env),
                env.path("FERRY_SECRET_DIR"),
                Integer.parseInt(env.get("FERRY_RETRIES", String.valueOf(SourceOptions.DEFAULT_RETRIES))),
                Duration.ofSeconds(Long.parseLong(env.get("FERRY_STALL_TIMEOUT_SECONDS",
                        String.valueOf(SourceOptions.DEFAULT_STALL_TIMEOUT.toSeconds())))),
                env.get("FERRY_S3_ENDPOINT", null), env.get("FERRY_PLATFORM", null));
        return new WorkerConfig(source, sourceOptions, env.importOptions(), env.destination(), env.metricsPort());
    }

    private static List<String> headers(WorkerEnvironment env) {
        String value = env.get("FERRY_EXTRA_HEADERS", "");
        return value.isBlank() ? List.of() : Arrays.stream(value.split("\n")).filter(s -> !s.isBlank()).toList();
    }
}
