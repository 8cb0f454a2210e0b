package dev.ferry.local.node;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.LauncherEnv;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Worker Pods as podman containers of Ferry's images (what {@code make images} builds): the Pod's
 * arguments pick the worker ({@code worker importer} …), its environment as the Pod gives it, its
 * volumes bind-mounted where the Pod mounts them (claims, Secrets, ConfigMaps) and the node's
 * termination-log file at the container's terminationMessagePath, the Pod's user, loopback through
 * the host network (the agent hands out the ports), {@code privileged} when the container asks.
 * podman runs as root here with runc and cgroupfs and explicit nofile/nproc limits (crun fails on
 * the machine's hybrid cgroups; podman's default limits are refused).
 */
public final class PodmanWorkers implements WorkerRuntime {
    private static final Logger LOG = Logger.getLogger(PodmanWorkers.class.getName());
    private static final List<String> PODMAN = List.of("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs");
    /** Where a launcher keeps its libvirtd's state and socket (LauncherPodBuilder's FERRY_LIBVIRT_RUN_DIR). */
    static final String LAUNCHER_RUN_DIR = "/run/ferry";
    /** The label on every container this runtime starts, naming its Pod ({@code podman ps --filter label=dev.ferry.local}). */
    public static final String LABEL = "dev.ferry.local";
    private final Map<WorkerKind, String> images;
    private final Path launcherRunDir;
    /** The container each running podman process runs. */
    private final Map<Process, String> containers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs each worker kind in {@code images} from its image (a local podman image name, e.g.
     * {@code localhost/ferry:latest}); launchers share {@code launcherRunDir} as their
     * {@code /run/ferry}, where each one's libvirtd socket is: a migration source reaches the
     * target's libvirtd there, as launchers on one node do.
     */
    public PodmanWorkers(Map<WorkerKind, String> images, Path launcherRunDir) {
        this.images = Map.copyOf(images);
        this.launcherRunDir = launcherRunDir;
    }

    @Override
    public WorkerKind kind(Container container) {
        WorkerKind kind = WorkerRuntime.named(container);
        return kind != null && images.containsKey(kind) ? kind : null;
    }

    @Override
    public boolean nodePaths(WorkerKind kind) {
        return false;
    }

    /** Whether {@code process} is a podman process this runtime started. */
    boolean started(Process process) {
        return containers.containsKey(process);
    }

    /** Whether this runtime runs {@code kind}. */
    public boolean runs(WorkerKind kind) {
        return images.containsKey(kind);
    }

    @Override
    public Process start(WorkerKind kind, Pod pod, Container container, Map<String, String> env, Map<String, Path> mounts,
            Path terminationLog, Path workDir, Path log) throws IOException {
        containers.keySet().removeIf(p -> !p.isAlive());
        Files.createFile(terminationLog);
        // the worker's user writes the node's file
        Files.setPosixFilePermissions(terminationLog, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_WRITE));
        Long group = pod.getSpec().getSecurityContext() == null ? null : pod.getSpec().getSecurityContext().getFsGroup();
        if (group != null) {
            for (Map.Entry<String, Path> mount : mounts.entrySet()) {
                if (!readOnly(container, mount.getKey())) {
                    // what a kubelet does for fsGroup: the volume's files belong to the group and it may write them
                    shareTree(mount.getValue(), group);
                }
            }
        }
        List<String> command = command(kind, pod, container, env, mounts, terminationLog);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(workDir.toFile()).start();
        containers.put(process, name(pod));
        LOG.info(() -> "started " + kind.workerName() + " as container " + name(pod) + " of " + images.get(kind) + " (podman pid " + process.pid()
                + "), log " + log);
        return process;
    }

    /** The {@code podman run} command line for {@code container} of {@code pod}. */
    List<String> command(WorkerKind kind, Pod pod, Container container, Map<String, String> env, Map<String, Path> mounts,
            Path terminationLog) throws IOException {
        List<String> command = new ArrayList<>(PODMAN);
        command.addAll(List.of("run", "--rm", "--name", name(pod), "--label", LABEL + "=" + pod.getMetadata().getNamespace() + "."
                + pod.getMetadata().getName(), "--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
                "--stop-timeout", "10"));
        PodSecurityContext podSecurity = pod.getSpec().getSecurityContext();
        SecurityContext security = container.getSecurityContext();
        Long user = security != null && security.getRunAsUser() != null ? security.getRunAsUser()
                : podSecurity == null ? null : podSecurity.getRunAsUser();
        Long group = podSecurity == null ? null : podSecurity.getFsGroup();
        if (user != null) {
            command.addAll(List.of("--user", user + ":" + (group != null ? group : user)));
        }
        if (security != null && Boolean.TRUE.equals(security.getPrivileged())) {
            command.add("--privileged");
        }
        command.addAll(List.of("--volume", terminationLog + ":" + WorkerRuntime.terminationMessagePath(container)));
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            boolean device = container.getVolumeDevices() != null && container.getVolumeDevices().stream()
                    .anyMatch(d -> d.getDevicePath().equals(mount.getKey()));
            if (device) {
                command.addAll(List.of("--device", mount.getValue().toRealPath() + ":" + mount.getKey()));
            } else {
                command.addAll(List.of("--volume", mount.getValue() + ":" + mount.getKey() + (readOnly(container, mount.getKey()) ? ":ro" : "")));
            }
        }
        if (kind == WorkerKind.LAUNCHER) {
            Files.createDirectories(launcherRunDir);
            command.addAll(List.of("--volume", launcherRunDir + ":" + LAUNCHER_RUN_DIR));
            // local mode reads kernelBoot's files from the node (KubeVirt's init container copies them out of their image)
            for (String file : kernelFiles(env)) {
                command.addAll(List.of("--volume", file + ":" + file + ":ro"));
            }
        }
        env.forEach((key, value) -> command.addAll(List.of("--env", key + "=" + value)));
        command.add(images.get(kind));
        command.addAll(container.getArgs() == null || container.getArgs().isEmpty() ? kind.args() : container.getArgs());
        return command;
    }

    /** The kernel and initrd a launcher's VMI boots directly from node paths, if any. */
    private static List<String> kernelFiles(Map<String, String> env) {
        String json = LauncherEnv.vmiJsonOf(env);
        if (json == null) {
            return List.of();
        }
        VirtualMachineInstance vmi = Serialization.unmarshal(json, VirtualMachineInstance.class);
        VmiSpec.Firmware firmware = vmi.getSpec() == null || vmi.getSpec().domain == null ? null : vmi.getSpec().domain.firmware;
        VmiSpec.KernelBootContainer boot = firmware == null || firmware.kernelBoot == null ? null : firmware.kernelBoot.container;
        if (boot == null) {
            return List.of();
        }
        return Stream.of(boot.kernelPath, boot.initrdPath).filter(p -> p != null && Files.exists(Path.of(p))).toList();
    }

    private static boolean readOnly(Container container, String mountPath) {
        return container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals(mountPath) && Boolean.TRUE.equals(m.getReadOnly()));
    }

    /** {@code podman rm -f} the container (podman run only forwards signals), then the podman process. */
    @Override
    public void kill(Process process) {
        String name = containers.remove(process);
        if (name != null) {
            try {
                Process rm = new ProcessBuilder(concat(PODMAN, List.of("rm", "-f", "--time", "0", name)))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!rm.waitFor(30, TimeUnit.SECONDS)) {
                    rm.destroyForcibly();
                }
            } catch (IOException e) {
                LOG.warning(() -> "podman rm -f " + name + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The container's name: the Pod's, unique per Pod instance (the end of its uid, where local mode's uids differ). */
    static String name(Pod pod) {
        String uid = pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
        return "ferry-" + pod.getMetadata().getNamespace() + "-" + pod.getMetadata().getName() + "-"
                + uid.substring(Math.max(0, uid.length() - 12));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The group {@code gid} owns {@code dir} and everything in it, with group read/write (and search
     * on directories) — skipped when the directory itself already is so, as a kubelet's
     * {@code fsGroupChangePolicy: OnRootMismatch} skips (a claim is shared once, not at every start).
     */
    private static void shareTree(Path dir, long gid) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        if (Files.getAttribute(dir, "unix:gid").equals((int) gid) && Files.getPosixFilePermissions(dir).containsAll(
                EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE))) {
            return;
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        GroupPrincipal principal = users.lookupPrincipalByGroupName(String.valueOf(gid));
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                if (view == null || Files.isSymbolicLink(path)) {
                    continue;
                }
                view.setGroup(principal);
                Set<PosixFilePermission> permissions = EnumSet.copyOf(view.readAttributes().permissions());
                permissions.add(PosixFilePermission.GROUP_READ);
                permissions.add(PosixFilePermission.GROUP_WRITE);
                if (Files.isDirectory(path)) {
                    permissions.add(PosixFilePermission.GROUP_EXECUTE);
                }
                view.setPermissions(permissions);
            }
        }
    }

}
