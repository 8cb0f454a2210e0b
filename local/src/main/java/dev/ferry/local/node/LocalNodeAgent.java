package dev.ferry.local.node;

import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.local.storage.LocalPathStorage;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.WorkerPods;
import dev.ferry.worker.env.NodeAssignment;
import dev.ferry.worker.env.UploadServerEnv;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Local mode's kubelet, for Ferry's own Pods only: binds each Pod to the one local node, runs its
 * container as a local process ({@link WorkerProcesses}) or a podman container of Ferry's image
 * ({@link PodmanWorkers}) with its volumes as local paths
 * ({@link PodVolumes}), ports made free and loopback-only, and reports Pod status as a kubelet
 * would ({@link PodStatuses}); restartPolicy Always/OnFailure containers restart with the kubelet's
 * back-off, timed on the agent's {@link Clock}. A deleted Pod gets SIGTERM, SIGKILL after its
 * grace period, and goes once its process is gone. Service names in a container's environment
 * resolve to the loopback port of the Pod behind them ({@link ServiceAddresses}).
 */
public final class LocalNodeAgent implements AutoCloseable {
    public static final String NODE = "ferry-local";
    /** Held on each Pod it runs until the process is gone, as a kubelet holds a deleted Pod through its grace period. */
    public static final String FINALIZER = "ferry.kubevirt.dev/local-node";
    private static final Logger LOG = Logger.getLogger(LocalNodeAgent.class.getName());

    private record Worker(String uid, Process process, Path dir, int port, boolean probe, int restarts) {
    }

    /** A deleted Pod's process, sent SIGTERM, killed at {@code deadline} if still alive. */
    private record Stopping(Process process, Instant deadline) {
    }

    /** A container that exited under restartPolicy Always/OnFailure, waiting out its back-off. */
    private record Restart(String uid, int restarts, Instant at) {
    }

    private final KubernetesClient client;
    private final Path root;
    private final PodVolumes volumes;
    private final WorkerRuntime processes;
    private final PodStatuses statuses;
    private final Clock clock;
    private final BiConsumer<String, InetSocketAddress> uploadServers;
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();
    private final Map<String, Stopping> stopping = new ConcurrentHashMap<>();
    private final Map<String, Restart> restarts = new ConcurrentHashMap<>();

    /** {@code uploadServers} hears ({@code namespace/pvc}, address) for each upload server started. */
    public LocalNodeAgent(KubernetesClient client, LocalPathStorage storage, Path dataRoot, WorkerRuntime processes, Clock clock,
            BiConsumer<String, InetSocketAddress> uploadServers) {
        this.client = client;
        this.root = dataRoot;
        this.volumes = new PodVolumes(client, storage);
        this.processes = processes;
        this.statuses = new PodStatuses(client, clock);
        this.clock = clock;
        this.uploadServers = uploadServers;
    }

    /** One pass: start what should run, report what changed, stop what was deleted. */
    public void sync() throws IOException {
        Set<String> seen = new HashSet<>();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            seen.add(key);
            Worker worker = workers.get(key);
            if (worker != null && !worker.uid().equals(pod.getMetadata().getUid())) {
                stop(key);
                worker = null;
            }
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                terminate(pod, key);
            } else if (worker != null) {
                report(pod, key, worker);
            } else if (LauncherPodBuilder.stray(pod)) {
                // a node's handler never hands a launcher without a VMI a guest; the VMI controller deletes it
                LOG.fine(() -> "not starting " + key + ": a launcher Pod no VMI owns");
            } else if (!PodStatuses.finished(pod)) {
                Restart restart = restarts.get(key);
                if (restart == null || !restart.uid().equals(pod.getMetadata().getUid())) {
                    start(pod, key, 0);
                } else if (!clock.instant().isBefore(restart.at())) {
                    restarts.remove(key);
                    start(pod, key, restart.restarts());
                }
            }
        }
        for (String key : List.copyOf(workers.keySet())) {
            if (!seen.contains(key)) {
                stop(key);
            }
        }
        stopping.entrySet().removeIf(e -> !seen.contains(e.getKey()) && !e.getValue().process().isAlive());
    }

    /** A deleted Pod: SIGTERM, then SIGKILL after its grace; the finalizer goes once the process has exited. */
    private void terminate(Pod pod, String key) {
        Worker worker = workers.remove(key);
        restarts.remove(key);
        if (worker != null && worker.process().isAlive()) {
            long grace = pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30 : pod.getSpec().getTerminationGracePeriodSeconds();
            worker.process().destroy();
            stopping.put(key, new Stopping(worker.process(), clock.instant().plusSeconds(grace)));
            LOG.info(() -> "stopping " + key + " (SIGTERM, " + grace + " s grace)");
        }
        Stopping pending = stopping.get(key);
        if (pending != null && pending.process().isAlive()) {
            if (clock.instant().isBefore(pending.deadline())) {
                return;
            }
            processes.kill(pending.process());
        }
        stopping.remove(key);
        if (pod.getMetadata().getFinalizers() != null && pod.getMetadata().getFinalizers().contains(FINALIZER)) {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).edit(current -> {
                current.getMetadata().getFinalizers().remove(FINALIZER);
                return current;
            });
        }
    }

    private void start(Pod pod, String key, int restartCount) throws IOException {
        Container container = pod.getSpec().getContainers().get(0);
        WorkerKind kind = processes.kind(container);
        if (kind == null) {
            statuses.pending(pod, "UnknownImage", "the local node runs Ferry's workers only (" + WorkerKind.names()
                    + "), not " + container.getImage());
            return;
        }
        Path dir = Files.createDirectories(root.resolve("pods").resolve(pod.getMetadata().getNamespace())
                .resolve(pod.getMetadata().getName() + "-" + pod.getMetadata().getUid()));
        Map<String, Path> mounts;
        try {
            mounts = volumes.mount(pod, container, dir);
        } catch (PodVolumes.NotReadyException e) {
            statuses.pending(pod, e.reason(), e.getMessage());
            return;
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            String value = var.getValue() == null ? "" : var.getValue();
            env.put(var.getName(), processes.nodePaths(kind) ? PodVolumes.remap(value, mounts) : value);
        }
        try {
            env = ServiceAddresses.resolve(env, this::servicePort);
        } catch (ServiceAddresses.NotReadyException e) {
            statuses.pending(pod, "ServiceNotReady", e.getMessage());
            return;
        }
        int port = freePort();
        int metrics = freePort();
        Path terminationLog = dir.resolve("termination-log");
        Files.deleteIfExists(terminationLog);
        // a container writes where its Pod says (the runtime mounts the node's file there); a process writes the node's file
        Path messagePath = processes.nodePaths(kind) ? terminationLog : WorkerRuntime.terminationMessagePath(container);
        env = new NodeAssignment(messagePath, metrics, port, "127.0.0.1").applyTo(env);
        Process process = processes.start(kind, pod, container, env, mounts, terminationLog, dir, root.resolve("logs")
                .resolve(pod.getMetadata().getNamespace()).resolve(pod.getMetadata().getName() + ".log"));
        boolean probe = kind == WorkerKind.UPLOAD_SERVER || kind == WorkerKind.EXPORT_SERVER;
        workers.put(key, new Worker(pod.getMetadata().getUid(), process, dir, port, probe, restartCount));
        String target = UploadServerEnv.uploadTargetOf(env);
        if (probe && target != null) {
            uploadServers.accept(target, new InetSocketAddress("127.0.0.1", port));
        }
        statuses.running(bind(pod, metrics, port), container, !probe, restartCount);
    }

    /** The port of a running worker the Service {@code namespace/name} selects, or null. */
    private Integer servicePort(String namespace, String name) {
        var service = client.services().inNamespace(namespace).withName(name).get();
        Map<String, String> selector = service == null || service.getSpec() == null ? null : service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return null;
        }
        return client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                .map(pod -> workers.get(namespace + "/" + pod.getMetadata().getName()))
                .filter(worker -> worker != null && worker.process().isAlive()).map(Worker::port).findFirst().orElse(null);
    }

    /** The Pod on this node, with the ports chosen for it announced and the finalizer held. */
    private Pod bind(Pod pod, int metrics, int port) {
        pod.getMetadata().setAnnotations(new LinkedHashMap<>(pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations()));
        pod.getMetadata().getAnnotations().put(WorkerPods.ANN_METRICS_PORT, String.valueOf(metrics));
        pod.getMetadata().getAnnotations().put(WorkerPods.ANN_SERVICE_PORT, String.valueOf(port));
        if (!pod.getMetadata().getFinalizers().contains(FINALIZER)) {
            pod.getMetadata().getFinalizers().add(FINALIZER);
        }
        pod.getSpec().setNodeName(NODE);
        return client.resource(pod).update();
    }

    /** A running worker: Ready once its port answers; terminated (or restarted) when its process exits. */
    private void report(Pod pod, String key, Worker worker) throws IOException {
        if (PodStatuses.finished(pod)) {
            return;
        }
        if (worker.process().isAlive()) {
            if (worker.probe() && !PodStatuses.isReady(pod) && answers(worker.port())) {
                statuses.ready(pod);
            }
            return;
        }
        int exit = worker.process().exitValue();
        Path log = worker.dir().resolve("termination-log");
        String message = Files.exists(log) ? Files.readString(log).strip() : "";
        Container container = pod.getSpec().getContainers().get(0);
        String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
        if ("Always".equals(policy) || ("OnFailure".equals(policy) && exit != 0)) {
            Duration delay = RestartBackoff.delay(worker.restarts());
            workers.remove(key);
            restarts.put(key, new Restart(worker.uid(), worker.restarts() + 1, clock.instant().plus(delay)));
            statuses.backOff(pod, container, exit, message, worker.restarts() + 1, delay);
            LOG.info(() -> key + " exited " + exit + "; restarting in " + delay.toSeconds() + " s (restart " + (worker.restarts() + 1) + ")");
            return;
        }
        statuses.terminated(pod, container, exit, message);
        LOG.info(() -> key + " exited " + exit);
    }

    private void stop(String key) {
        restarts.remove(key);
        Worker worker = workers.remove(key);
        if (worker != null && worker.process().isAlive()) {
            processes.kill(worker.process());
            LOG.info(() -> "stopped " + key);
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Stops every worker it started (their disks stay): SIGTERM, a few seconds for launchers to shut
     * their guests down (a launcher killed outright would leave its domain running), then SIGKILL.
     */
    @Override
    public void close() {
        List<Process> all = new java.util.ArrayList<>(workers.values().stream().map(Worker::process).toList());
        stopping.values().forEach(s -> all.add(s.process()));
        all.forEach(Process::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Process process : all) {
            try {
                process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        all.forEach(processes::kill);
        workers.clear();
    }
}
