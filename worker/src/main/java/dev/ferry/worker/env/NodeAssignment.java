package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the node that runs a worker decides for it at start, over what the Pod's environment
 * says: where the termination message goes (a kubelet mounts it), and — on one machine, where
 * every Pod shares loopback — the ports the worker serves on and the address it binds.
 */
public record NodeAssignment(Path terminationLog, int metricsPort, int servicePort, String listenHost) {

    /** {@code env} with this node's choices in place. */
    public Map<String, String> applyTo(Map<String, String> env) {
        Map<String, String> assigned = new LinkedHashMap<>(env);
        assigned.put(Reporting.TERMINATION_LOG_KEY, terminationLog.toString());
        assigned.put(Reporting.METRICS_PORT_KEY, String.valueOf(metricsPort));
        assigned.put(UploadServerEnv.PORT, String.valueOf(servicePort));
        assigned.put(UploadServerEnv.HOST, listenHost);
        return assigned;
    }
}
