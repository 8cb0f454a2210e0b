package dev.ferry.vmruntime.app;

import dev.ferry.vmruntime.handler.NodeHandler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The node handler worker (a DaemonSet Pod per node, as virt-handler): {@code NODE_NAME} (from
 * the downward API), {@code FERRY_MIGRATION_COMPLETION_TIMEOUT_PER_GIB} (150),
 * {@code FERRY_MIGRATION_PROGRESS_TIMEOUT} (150 s), {@code FERRY_MIGRATION_MAX_DOWNTIME_MS} (50),
 * {@code FERRY_MIGRATION_BANDWIDTH_MIBPS} (0: unlimited);
 * the API server from the Pod's service account. Runs until SIGTERM.
 */
public final class NodeHandlerMain {
    private static final Logger LOG = Logger.getLogger(NodeHandlerMain.class.getName());

    private NodeHandlerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String node = System.getenv("NODE_NAME");
        if (node == null || node.isBlank()) {
            System.err.println("ferry node-handler: NODE_NAME is not set (give it spec.nodeName through the downward API)");
            System.exit(2);
        }
        NodeHandler.MigrationSettings settings = new NodeHandler.MigrationSettings(
                number("FERRY_MIGRATION_COMPLETION_TIMEOUT_PER_GIB", 150), number("FERRY_MIGRATION_PROGRESS_TIMEOUT", 150),
                number("FERRY_MIGRATION_MAX_DOWNTIME_MS", 50), number("FERRY_MIGRATION_BANDWIDTH_MIBPS", 0));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "ferry-handler-sigterm"));
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                NodeHandler handler = new NodeHandler(client, node, Clock.systemUTC(), settings)) {
            handler.start(Duration.ofMillis(500));
            LOG.info(() -> "node handler for " + node + " running");
            stop.await();
        }
    }

    private static long number(String name, long fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Long.parseLong(value.strip());
    }
}
