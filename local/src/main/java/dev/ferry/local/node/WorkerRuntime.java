package dev.ferry.local.node;

import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.Reporting;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the local node runs a Pod's container: as a process of this build ({@link WorkerProcesses})
 * or as a container of Ferry's image ({@link PodmanWorkers}). The agent decides everything a
 * kubelet decides (volumes, ports, the termination-log file); a runtime only starts and stops.
 */
public interface WorkerRuntime {
    /** The worker {@code container} runs, or null when this runtime cannot run it. */
    WorkerKind kind(Container container);

    /**
     * Whether the worker sees the node's own paths: a process does, so container paths in its
     * environment are rewritten to them; a container gets its volumes bind-mounted where the Pod
     * says and its environment as the Pod gives it.
     */
    boolean nodePaths(WorkerKind kind);

    /**
     * {@code containers} for the workers it can run, {@code processes} for the rest (local mode on
     * podman runs Ferry's image; a launcher, which needs QEMU and libvirt, stays a process until
     * its image exists).
     */
    static WorkerRuntime preferring(PodmanWorkers containers, WorkerProcesses processes) {
        return new WorkerRuntime() {
            @Override
            public WorkerKind kind(Container container) {
                WorkerKind kind = containers.kind(container);
                return kind != null ? kind : processes.kind(container);
            }

            @Override
            public boolean nodePaths(WorkerKind kind) {
                return !containers.runs(kind);
            }

            @Override
            public Process start(WorkerKind kind, Pod pod, Container container, Map<String, String> env, Map<String, Path> mounts,
                    Path terminationLog, Path workDir, Path log) throws IOException {
                return (containers.runs(kind) ? containers : processes).start(kind, pod, container, env, mounts, terminationLog,
                        workDir, log);
            }

            @Override
            public void kill(Process process) {
                (containers.started(process) ? containers : processes).kill(process);
            }
        };
    }

    /**
     * Starts {@code kind} for {@code pod} with {@code env}; {@code mounts} maps each container path
     * to the node's path behind it, {@code terminationLog} is the node's file for the termination
     * message (mounted at the container's terminationMessagePath by a container runtime).
     */
    Process start(WorkerKind kind, Pod pod, Container container, Map<String, String> env, Map<String, Path> mounts,
            Path terminationLog, Path workDir, Path log) throws IOException;

    /** Stops {@code process} and everything it started, at once. */
    void kill(Process process);

    /** Where {@code container} writes its termination message (its terminationMessagePath, a kubelet's default otherwise). */
    static Path terminationMessagePath(Container container) {
        return Path.of(container.getTerminationMessagePath() == null ? Reporting.TERMINATION_LOG : container.getTerminationMessagePath());
    }

    /** The worker {@code container} names: its {@code worker NAME} arguments, else its image's name. */
    static WorkerKind named(Container container) {
        WorkerKind kind = WorkerKind.fromArgs(container.getArgs());
        if (kind == null) {
            String image = container.getImage() == null ? "" : container.getImage();
            String name = image.substring(image.lastIndexOf('/') + 1);
            kind = WorkerKind.named(name.contains(":") ? name.substring(0, name.indexOf(':')) : name);
        }
        return kind;
    }
}
