package dev.ferry.vmruntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A libvirtd the launcher owns, as KubeVirt's launcher owns its virtqemud: its own state, its
 * own socket, and its own host UUID — which is what lets two launchers on one host migrate a
 * guest between them (libvirt refuses a migration whose two ends share a host UUID).
 *
 * <p>A root libvirtd keeps its state at fixed paths (/run/libvirt, /var/lib/libvirt,
 * /etc/libvirt …), so two cannot share a host's filesystem; each runs in a private mount
 * namespace ({@code unshare --mount}) with its own directories bound over those paths, as a
 * container would give it. The QEMU capability cache (/var/cache/libvirt) stays shared: probing
 * QEMU again costs every daemon seconds. The socket lives under a short directory in
 * {@code /run/ferry} (unix socket paths are limited to 107 bytes).
 */
public final class LibvirtDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LibvirtDaemon.class.getName());
    private static final List<String> BOUND = List.of("/run/libvirt", "/var/lib/libvirt", "/var/log/libvirt", "/etc/libvirt");

    private final Path dir;
    private final Process process;
    private final String hostUuid;

    private LibvirtDaemon(Path dir, Process process, String hostUuid) {
        this.dir = dir;
        this.process = process;
        this.hostUuid = hostUuid;
    }

    /** Starts a daemon under a new directory in {@code parent} and waits until it answers. */
    public static LibvirtDaemon start(Path parent, Duration timeout) throws IOException, Launcher.LauncherException {
        for (String tool : List.of("/usr/sbin/libvirtd", "/usr/bin/unshare")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new Launcher.LauncherException(tool + " is missing: run `make deps` (libvirt-daemon-system, util-linux)", null);
            }
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "lv");
        for (String sub : List.of("run", "lib", "log", "etc", "sock")) {
            Files.createDirectories(dir.resolve(sub));
        }
        copyTree(Path.of("/etc/libvirt"), dir.resolve("etc"));
        // no virtlogd inside the namespace: QEMU's stdio goes to a file
        Files.writeString(dir.resolve("etc/qemu.conf"), "\nstdio_handler = \"file\"\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        String uuid = UUID.randomUUID().toString();
        Files.writeString(dir.resolve("etc/libvirtd.conf"), """
                unix_sock_dir = "%s"
                host_uuid = "%s"
                listen_tls = 0
                listen_tcp = 0
                log_outputs = "3:file:%s"
                """.formatted(dir.resolve("sock"), uuid, dir.resolve("libvirtd.log")));
        StringBuilder script = new StringBuilder();
        String[] sources = {"run", "lib", "log", "etc"};
        for (int i = 0; i < BOUND.size(); i++) {
            script.append("mkdir -p ").append(BOUND.get(i)).append(" && mount --bind ").append(dir.resolve(sources[i]))
                    .append(' ').append(BOUND.get(i)).append(" && ");
        }
        script.append("exec /usr/sbin/libvirtd --config /etc/libvirt/libvirtd.conf --pid-file ").append(dir.resolve("libvirtd.pid"));
        Process process = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                script.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("daemon.out").toFile()).start();
        LibvirtDaemon daemon = new LibvirtDaemon(dir, process, uuid);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(daemon.socket())) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = Files.exists(dir.resolve("daemon.out")) ? Files.readString(dir.resolve("daemon.out")).strip() : "";
                daemon.close();
                throw new Launcher.LauncherException("the launcher's libvirtd did not start" + (why.isEmpty() ? "" : ": " + why)
                        + " (it needs root to enter a private mount namespace; or set FERRY_LIBVIRT_URI to use a node daemon)", null);
            }
            sleep();
        }
        LOG.info(() -> "libvirtd " + process.pid() + " up at " + daemon.uri() + " (host UUID " + uuid + ")");
        return daemon;
    }

    public Path socket() {
        return dir.resolve("sock/libvirt-sock");
    }

    /** The URI of this daemon, for this launcher and for a migration source connecting to it. */
    public String uri() {
        return "qemu+unix:///system?socket=" + socket();
    }

    public String hostUuid() {
        return hostUuid;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(file) && Files.isReadable(file)) {
                    Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the daemon (its guests must be gone or migrated) and removes its directory. */
    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.fine(() -> "cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
