package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a worker reports: the port of its {@code /metrics} (progress; 0 any free port, -1 none),
 * the object its progress belongs to ({@code ownerUID} label), and the termination-message file.
 */
public record Reporting(int metricsPort, String ownerUid, Path terminationLog) {
    public static final String TERMINATION_LOG = "/dev/termination-log";
    static final String METRICS_PORT_KEY = "FERRY_METRICS_PORT";
    static final String TERMINATION_LOG_KEY = "FERRY_TERMINATION_LOG";
    private static final String OWNER_UID = "FERRY_OWNER_UID";

    public static Reporting of(int metricsPort, String ownerUid) {
        return new Reporting(metricsPort, ownerUid, Path.of(TERMINATION_LOG));
    }

    static Reporting read(EnvReader env, int defaultMetricsPort) {
        return new Reporting(env.integer(METRICS_PORT_KEY, defaultMetricsPort), env.string(OWNER_UID, ""),
                env.path(TERMINATION_LOG_KEY, TERMINATION_LOG));
    }

    /** Where the result goes, readable even when the rest of the environment is not. */
    public static Path terminationLog(Map<String, String> env) {
        return new EnvReader(env).path(TERMINATION_LOG_KEY, TERMINATION_LOG);
    }

    void write(EnvWriter env) {
        env.put(METRICS_PORT_KEY, metricsPort).put(OWNER_UID, ownerUid).put(TERMINATION_LOG_KEY, terminationLog);
    }
}
