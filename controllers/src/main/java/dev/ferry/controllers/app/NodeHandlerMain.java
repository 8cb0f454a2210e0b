package dev.ferry.controllers.app;

import dev.ferry.controllers.handler.k8s.NodeHandler;
import dev.ferry.worker.env.InvalidEnvironmentException;
import dev.ferry.worker.env.NodeHandlerEnv;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The node handler process (a DaemonSet Pod per node, as virt-handler), configured by its
 * environment ({@link NodeHandlerEnv}); the API server from the Pod's service account. Runs until SIGTERM.
 */
public final class NodeHandlerMain {
    private static final Logger LOG = Logger.getLogger(NodeHandlerMain.class.getName());

    private NodeHandlerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        NodeHandlerEnv env;
        try {
            env = NodeHandlerEnv.fromEnv(System.getenv());
        } catch (InvalidEnvironmentException e) {
            System.err.println("ferry node-handler: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "ferry-handler-sigterm"));
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                NodeHandler handler = new NodeHandler(client, env, Clock.systemUTC())) {
            handler.start(Duration.ofMillis(500));
            LOG.info(() -> "node handler for " + env.nodeName() + " running");
            stop.await();
        }
    }
}
