package dev.ferry.worker.env;

import java.util.Map;

/**
 * The node handler's environment (a DaemonSet Pod per node): its node ({@code NODE_NAME}, from
 * the downward API) and KubeVirt's migration settings it applies — completionTimeoutPerGiB,
 * progressTimeout, the longest switch-over pause asked of QEMU, and bandwidthPerMigration in MiB/s
 * (0: unlimited).
 */
public record NodeHandlerEnv(String nodeName, long completionTimeoutPerGiB, long progressTimeoutSeconds,
        long maxDowntimeMillis, long bandwidthMiBps) {
    private static final String NODE_NAME = "NODE_NAME";
    private static final String COMPLETION_TIMEOUT = "FERRY_MIGRATION_COMPLETION_TIMEOUT_PER_GIB";
    private static final String PROGRESS_TIMEOUT = "FERRY_MIGRATION_PROGRESS_TIMEOUT";
    private static final String MAX_DOWNTIME = "FERRY_MIGRATION_MAX_DOWNTIME_MS";
    private static final String BANDWIDTH = "FERRY_MIGRATION_BANDWIDTH_MIBPS";

    /** KubeVirt's defaults on a node. */
    public static NodeHandlerEnv defaults(String nodeName) {
        return new NodeHandlerEnv(nodeName, 150, 150, 50, 0);
    }

    public static NodeHandlerEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        String node = env.string(NODE_NAME, null);
        if (node == null) {
            throw new InvalidEnvironmentException(NODE_NAME + " is not set (give it spec.nodeName through the downward API)");
        }
        NodeHandlerEnv d = defaults(node);
        return new NodeHandlerEnv(node, env.number(COMPLETION_TIMEOUT, d.completionTimeoutPerGiB()),
                env.number(PROGRESS_TIMEOUT, d.progressTimeoutSeconds()), env.number(MAX_DOWNTIME, d.maxDowntimeMillis()),
                env.number(BANDWIDTH, d.bandwidthMiBps()));
    }

    public Map<String, String> toEnv() {
        return new EnvWriter().put(NODE_NAME, nodeName).put(COMPLETION_TIMEOUT, completionTimeoutPerGiB)
                .put(PROGRESS_TIMEOUT, progressTimeoutSeconds).put(MAX_DOWNTIME, maxDowntimeMillis).put(BANDWIDTH, bandwidthMiBps)
                .map();
    }
}
