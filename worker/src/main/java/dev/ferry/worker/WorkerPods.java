package dev.ferry.worker;

/** What a worker Pod carries beyond its environment, read by both the node that runs it and the controller. */
public final class WorkerPods {
    /** Set on a worker Pod by a node that chose the worker's metrics (control) port itself; else the configured port. */
    public static final String ANN_METRICS_PORT = "ferry.kubevirt.dev/metrics-port";
    /**
     * Set, with the metrics port, by a node whose Pods share one loopback (local mode): the port the
     * worker serves on there, where a Service's port would reach it in a cluster.
     */
    public static final String ANN_SERVICE_PORT = "ferry.kubevirt.dev/service-port";

    private WorkerPods() {
    }
}
