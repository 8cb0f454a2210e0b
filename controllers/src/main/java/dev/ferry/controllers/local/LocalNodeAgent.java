package dev.ferry.controllers.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Local mode's kubelet, for Ferry's own Pods only: binds each Pod to the one local node and runs
 * its container as a local process — image name → worker main class, the container's env with
 * volume paths remapped (a claim → its local-path directory or block file; Secrets and
 * ConfigMaps → files it writes), ports made free and loopback-only, logs to
 * {@code DATA_ROOT/logs/<namespace>/<pod>.log} — and reports Pod status as a kubelet would
 * (Running, Ready, terminated with exit code and the termination message). Deleting the Pod
 * kills the process. Pods of images it does not know stay Pending with a condition saying so.
 */
public final class LocalNodeAgent implements AutoCloseable {
    public static final String NODE = "ferry-local";
    public static final String ANN_METRICS_PORT = dev.ferry.controllers.k8s.DataVolumeReconciler.ANN_METRICS_PORT;
    private static final Logger LOG = Logger.getLogger(LocalNodeAgent.class.getName());
    /** Worker images (by the last path element of the name, before the tag) → main class. */
    private static final Map<String, String> WORKERS = Map.of(
            "importer", "dev.ferry.importer.app.ImporterMain",
            "upload-server", "dev.ferry.uploader.app.UploadServerMain",
            "launcher", "dev.ferry.vmruntime.app.LauncherMain");
    /** Held on each Pod it runs until the process is gone, as a kubelet holds a deleted Pod through its grace period. */
    public static final String FINALIZER = "ferry.kubevirt.dev/local-node";

    private final KubernetesClient client;
    private final LocalPathStorage storage;
    private final Path root;
    private final BiConsumer<String, InetSocketAddress> uploadServers;
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();

    private record Worker(String uid, Process process, Path dir, int port, boolean probe, int restarts) {
    }

    /** A deleted Pod's process, sent SIGTERM, killed at {@code deadline} if still alive. */
    private record Stopping(Process process, Instant deadline) {
    }

    private final Map<String, Stopping> stopping = new ConcurrentHashMap<>();

    /** A container that exited under restartPolicy Always/OnFailure, waiting out its back-off. */
    private record Restart(String uid, int restarts, Instant at) {
    }

    private final Map<String, Restart> restarts = new ConcurrentHashMap<>();

    /** {@code uploadServers} hears ({@code namespace/pvc}, address) for each upload server started. */
    public LocalNodeAgent(KubernetesClient client, LocalPathStorage storage, Path dataRoot,
            BiConsumer<String, InetSocketAddress> uploadServers) {
        this.client = client;
        this.storage = storage;
        this.root = dataRoot;
        this.uploadServers = uploadServers;
    }

    /** One pass: start what should run, report what changed, stop what was deleted. */
    public void sync() throws IOException {
        List<String> seen = new ArrayList<>();
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
            } else if (worker == null && !finished(pod)) {
                Restart restart = restarts.get(key);
                if (restart == null || !restart.uid().equals(pod.getMetadata().getUid())) {
                    start(pod, key, 0);
                } else if (!Instant.now().isBefore(restart.at())) {
                    restarts.remove(key);
                    start(pod, key, restart.restarts());
                }
            } else if (worker != null) {
                report(pod, worker);
            }
        }
        for (String key : List.copyOf(workers.keySet())) {
            if (!seen.contains(key)) {
                stop(key);
            }
        }
        stopping.entrySet().removeIf(e -> !seen.contains(e.getKey()) && !e.getValue().process().isAlive());
    }

    /**
     * A deleted Pod: SIGTERM, then SIGKILL after its terminationGracePeriodSeconds; the finalizer
     * goes (and with it the Pod) once the process has exited.
     */
    private void terminate(Pod pod, String key) {
        Worker worker = workers.remove(key);
        restarts.remove(key);
        if (worker != null && worker.process().isAlive()) {
            long grace = pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30 : pod.getSpec().getTerminationGracePeriodSeconds();
            worker.process().destroy();
            stopping.put(key, new Stopping(worker.process(), Instant.now().plusSeconds(grace)));
            LOG.info(() -> "stopping " + key + " (SIGTERM, " + grace + " s grace)");
        }
        Stopping pending = stopping.get(key);
        if (pending != null && pending.process().isAlive()) {
            if (Instant.now().isBefore(pending.deadline())) {
                return;
            }
            pending.process().descendants().forEach(ProcessHandle::destroyForcibly);
            pending.process().destroyForcibly();
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
        String main = WORKERS.get(workerName(container.getImage()));
        if (main == null) {
            pending(pod, "UnknownImage", "the local node runs Ferry's workers only (" + String.join(", ", WORKERS.keySet())
                    + "), not " + container.getImage());
            return;
        }
        Map<String, Path> mounts = new LinkedHashMap<>();
        Path dir = Files.createDirectories(root.resolve("pods").resolve(pod.getMetadata().getNamespace())
                .resolve(pod.getMetadata().getName() + "-" + pod.getMetadata().getUid()));
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path local = materialize(pod, volume, dir);
            if (local == null) {
                return;
            }
            for (VolumeMount mount : container.getVolumeMounts()) {
                if (mount.getName().equals(volume.getName())) {
                    mounts.put(mount.getMountPath(), local);
                }
            }
            for (VolumeDevice device : container.getVolumeDevices() == null ? List.<VolumeDevice>of() : container.getVolumeDevices()) {
                if (device.getName().equals(volume.getName())) {
                    mounts.put(device.getDevicePath(), local);
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), remap(var.getValue() == null ? "" : var.getValue(), mounts));
        }
        int port = freePort();
        int metrics = freePort();
        env.put("FERRY_TERMINATION_LOG", dir.resolve("termination-log").toString());
        env.put("FERRY_METRICS_PORT", String.valueOf(metrics));
        env.put("FERRY_UPLOAD_PORT", String.valueOf(port));
        env.put("FERRY_UPLOAD_HOST", "127.0.0.1");
        env.putIfAbsent("FERRY_BLOCK_PATH", dir.resolve("no-block-device").toString());
        Files.deleteIfExists(dir.resolve("termination-log"));
        Path log = Files.createDirectories(root.resolve("logs").resolve(pod.getMetadata().getNamespace()))
                .resolve(pod.getMetadata().getName() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command(main)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(dir.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean upload = "upload-server".equals(workerName(container.getImage()));
        workers.put(key, new Worker(pod.getMetadata().getUid(), process, dir, port, upload, restartCount));
        if (upload && env.containsKey("FERRY_UPLOAD_TARGET")) {
            uploadServers.accept(env.get("FERRY_UPLOAD_TARGET"), new InetSocketAddress("127.0.0.1", port));
        }
        LOG.info(() -> "started " + key + " (" + main + ", pid " + process.pid() + "), log " + log);
        pod.getMetadata().setAnnotations(new LinkedHashMap<>(pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations()));
        pod.getMetadata().getAnnotations().put(ANN_METRICS_PORT, String.valueOf(metrics));
        if (!pod.getMetadata().getFinalizers().contains(FINALIZER)) {
            pod.getMetadata().getFinalizers().add(FINALIZER);
        }
        pod.getSpec().setNodeName(NODE);
        Pod updated = client.resource(pod).update();
        updated.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").withHostIP("127.0.0.1")
                .withStartTime(Instant.now().toString())
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(upload ? "False" : "True").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                        .withReady(!upload).withRestartCount(restartCount).withNewState().withNewRunning()
                        .withStartedAt(Instant.now().toString()).endRunning().endState().build())
                .build());
        client.resource(updated).updateStatus();
    }

    /** A running worker: Ready once its port answers; terminated when its process exits. */
    private void report(Pod pod, Worker worker) throws IOException {
        if (finished(pod)) {
            return;
        }
        if (!worker.process().isAlive()) {
            int exit = worker.process().exitValue();
            Path log = worker.dir().resolve("termination-log");
            String message = Files.exists(log) ? Files.readString(log).strip() : "";
            Container container = pod.getSpec().getContainers().get(0);
            String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
            if ("Always".equals(policy) || ("OnFailure".equals(policy) && exit != 0)) {
                backOff(pod, worker, container, exit, message);
                return;
            }
            pod.setStatus(new PodStatusBuilder(pod.getStatus()).withPhase(exit == 0 ? "Succeeded" : "Failed")
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build())
                    .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName())
                            .withImage(container.getImage()).withReady(false).withRestartCount(0).withNewState()
                            .withNewTerminated().withExitCode(exit).withReason(exit == 0 ? "Completed" : "Error")
                            .withMessage(message).withFinishedAt(Instant.now().toString()).endTerminated().endState().build())
                    .build());
            client.resource(pod).updateStatus();
            LOG.info(() -> pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " exited " + exit);
            return;
        }
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!ready && worker.probe() && answers(worker.port())) {
            pod.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True").build()));
            pod.getStatus().getContainerStatuses().get(0).setReady(true);
            client.resource(pod).updateStatus();
        }
    }

    /** Restarts a container as a kubelet would: 10 s, 20 s, 40 s … at most 5 minutes apart. */
    private void backOff(Pod pod, Worker worker, Container container, int exit, String message) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        int count = worker.restarts() + 1;
        long delay = Math.min(300, 10L << Math.min(worker.restarts(), 5));
        workers.remove(key);
        restarts.put(key, new Restart(worker.uid(), count, Instant.now().plusSeconds(delay)));
        pod.setStatus(new PodStatusBuilder(pod.getStatus()).withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                        .withReady(false).withRestartCount(count)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off " + delay + "s restarting failed container").endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(exit).withMessage(message)
                        .withFinishedAt(Instant.now().toString()).endTerminated().endLastState().build())
                .build());
        client.resource(pod).updateStatus();
        LOG.info(() -> key + " exited " + exit + "; restarting in " + delay + " s (restart " + count + ")");
    }

    /** A Pod volume as a local path; null (and the Pod left Pending) when its claim is not bound yet. */
    private Path materialize(Pod pod, Volume volume, Path dir) throws IOException {
        String namespace = pod.getMetadata().getNamespace();
        if (volume.getPersistentVolumeClaim() != null) {
            Path path = storage.path(namespace, volume.getPersistentVolumeClaim().getClaimName());
            if (path == null) {
                pending(pod, "WaitingForVolume", "claim " + volume.getPersistentVolumeClaim().getClaimName() + " is not bound yet");
            }
            return path;
        }
        Path files = Files.createDirectories(dir.resolve("volumes").resolve(volume.getName()));
        if (volume.getSecret() != null) {
            Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
            if (secret == null) {
                pending(pod, "SecretMissing", "Secret " + volume.getSecret().getSecretName() + " does not exist");
                return null;
            }
            for (Map.Entry<String, String> e : (secret.getData() == null ? Map.<String, String>of() : secret.getData()).entrySet()) {
                Files.write(files.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
            }
            for (Map.Entry<String, String> e : (secret.getStringData() == null ? Map.<String, String>of()
                    : secret.getStringData()).entrySet()) {
                Files.writeString(files.resolve(e.getKey()), e.getValue());
            }
        } else if (volume.getConfigMap() != null) {
            ConfigMap map = client.configMaps().inNamespace(namespace).withName(volume.getConfigMap().getName()).get();
            if (map == null) {
                pending(pod, "ConfigMapMissing", "ConfigMap " + volume.getConfigMap().getName() + " does not exist");
                return null;
            }
            for (Map.Entry<String, String> e : (map.getData() == null ? Map.<String, String>of() : map.getData()).entrySet()) {
                Files.writeString(files.resolve(e.getKey()), e.getValue());
            }
        }
        return files;
    }

    private void pending(Pod pod, String reason, String message) {
        boolean same = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> reason.equals(c.getReason()));
        if (same) {
            return;
        }
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
                .withType("PodScheduled").withStatus("False").withReason(reason).withMessage(message).build()).build());
        client.resource(pod).updateStatus();
    }

    /** Container paths in env values (/data, /dev/ferry-block, secret mounts) → their local paths. */
    static String remap(String value, Map<String, Path> mounts) {
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            String path = mount.getKey();
            if (value.equals(path) || value.startsWith(path + "/")) {
                return mount.getValue() + value.substring(path.length());
            }
        }
        return value;
    }

    static String workerName(String image) {
        String name = image.contains("/") ? image.substring(image.lastIndexOf('/') + 1) : image;
        int tag = name.indexOf(':');
        return tag < 0 ? name : name.substring(0, tag);
    }

    private static List<String> command(String main) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-XX:+UseSerialGC", "-Xmx192m", "-XX:MaxDirectMemorySize=96m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main);
    }

    private void stop(String key) {
        restarts.remove(key);
        Worker worker = workers.remove(key);
        if (worker != null && worker.process().isAlive()) {
            worker.process().descendants().forEach(ProcessHandle::destroyForcibly);
            worker.process().destroyForcibly();
            LOG.info(() -> "stopped " + key);
        }
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
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
     * Stops every worker it started (their disks stay): SIGTERM, a few seconds for launchers to
     * shut their guests down (a launcher killed outright would leave its domain running), then SIGKILL.
     */
    @Override
    public void close() {
        workers.values().forEach(w -> w.process().destroy());
        stopping.values().forEach(s -> s.process().destroy());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        for (Process process : java.util.stream.Stream.concat(workers.values().stream().map(Worker::process),
                stopping.values().stream().map(Stopping::process)).toList()) {
            try {
                process.waitFor(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List.copyOf(workers.keySet()).forEach(this::stop);
        stopping.values().forEach(s -> s.process().destroyForcibly());
    }
}
