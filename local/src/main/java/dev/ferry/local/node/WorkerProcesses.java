package dev.ferry.local.node;

import dev.ferry.worker.WorkerKind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * How local mode runs a worker container: the worker it names ({@code worker NAME} arguments, else
 * the image's name), the command that runs that worker on this machine, its environment, its log
 * file — and how a process and everything it started is stopped.
 */
public final class WorkerProcesses implements WorkerRuntime {
    private static final Logger LOG = Logger.getLogger(WorkerProcesses.class.getName());
    private final Function<WorkerKind, List<String>> commands;

    /** {@code commands}: the command line of each worker (null: not runnable here). */
    public WorkerProcesses(Function<WorkerKind, List<String>> commands) {
        this.commands = commands;
    }

    /**
     * Workers as processes of this JVM's own build: {@code java -cp <this classpath> <main>}, with
     * this JVM's start-up cache when it has one (bin/ferry's AOT cache or CDS archive: same JDK,
     * same classpath, so a worker's JDK, fabric8 and disk-engine classes come ready from it).
     */
    public static WorkerProcesses sameBuild(Map<WorkerKind, Class<?>> mains) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> startup = startupCache(ManagementFactory.getRuntimeMXBean().getInputArguments());
        return new WorkerProcesses(kind -> {
            if (!mains.containsKey(kind)) {
                return null;
            }
            List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx192m", "-XX:MaxDirectMemorySize=96m"));
            command.addAll(startup);
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    mains.get(kind).getName()));
            return command;
        });
    }

    /** The start-up cache options among a JVM's arguments (only reading a cache, never training one). */
    static List<String> startupCache(List<String> jvmArguments) {
        List<String> cache = jvmArguments.stream()
                .filter(a -> a.startsWith("-XX:AOTCache=") || a.startsWith("-XX:SharedArchiveFile=")).toList();
        if (cache.isEmpty()) {
            return List.of();
        }
        List<String> options = new ArrayList<>(cache);
        if (cache.stream().anyMatch(a -> a.startsWith("-XX:AOTCache="))) {
            options.add("-Xlog:aot=off"); // a JDK 25+ option, as the AOT cache is
        }
        options.add("-Xlog:cds=off");
        return options;
    }

    @Override
    public WorkerKind kind(Container container) {
        WorkerKind kind = WorkerRuntime.named(container);
        return kind != null && commands.apply(kind) != null ? kind : null;
    }

    @Override
    public boolean nodePaths(WorkerKind kind) {
        return true;
    }

    @Override
    public Process start(WorkerKind kind, Pod pod, Container container, Map<String, String> env, Map<String, Path> mounts,
            Path terminationLog, Path workDir, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(commands.apply(kind)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(workDir.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        LOG.info(() -> "started " + kind.workerName() + " (pid " + process.pid() + "), log " + log);
        return process;
    }

    /** Kills {@code process} and everything it started (a launcher's libvirtd and QEMU). */
    @Override
    public void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
