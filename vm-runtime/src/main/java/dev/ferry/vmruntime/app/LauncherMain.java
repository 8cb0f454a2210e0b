package dev.ferry.vmruntime.app;

import com.sun.net.httpserver.HttpExchange;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.vmruntime.Accelerator;
import dev.ferry.vmruntime.DomainSpec;
import dev.ferry.vmruntime.Launcher;
import dev.ferry.vmruntime.LibvirtDaemon;
import dev.ferry.worker.MetricsEndpoint;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The launcher worker (one per VMI): {@code FERRY_VMI_JSON} (the VMI itself) or {@code FERRY_VMI}
 * (a file holding it as YAML or JSON), {@code FERRY_VOLUME_<NAME>} (each volume's local path: a
 * claim's directory or a block device; the volume name upper-cased with '-' as '_'),
 * {@code FERRY_CONSOLE_LOG}, {@code FERRY_ACCELERATOR} (kvm|qemu|auto), {@code FERRY_ACCELERATOR_CACHE}
 * (where the auto probe's answer is kept for this boot of the node: /run/ferry/accelerator), {@code FERRY_LIBVIRT_URI}
 * (qemu:///system), {@code FERRY_TERMINATION_LOG}, {@code FERRY_METRICS_PORT} (-1: no endpoint).
 * Runs the guest until it powers off (exit 0) or is stopped: SIGTERM shuts it down gracefully
 * within the VMI's terminationGracePeriodSeconds (default 30), then destroys it.
 *
 * <p>On the metrics port it answers the node handler, as KubeVirt's launcher answers virt-handler
 * on its command socket: {@code GET /status} (state Starting|Running|Paused|Stopping|Stopped and
 * the accelerator), {@code POST /pause}, {@code POST /unpause}, and {@code GET /console?from=N}
 * (the serial log from byte N).
 */
public final class LauncherMain {
    private static final Logger LOG = Logger.getLogger(LauncherMain.class.getName());
    private static final int CONSOLE_CHUNK = 64 * 1024;

    private final Map<String, String> env;
    private volatile String state = "Starting";
    private volatile String accelerator;
    private volatile String domainName;
    private volatile Launcher launcher;
    private volatile Path console;
    private volatile String libvirtUri;
    private volatile int migrationPort;
    private volatile Map<String, Object> migration;

    private LauncherMain(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        int[] exit = {1};
        // SIGTERM: let the guest shut down (ACPI, then destroy) before the JVM goes, and exit with the launcher's code
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(exit[0]);
        }, "ferry-launcher-sigterm"));
        exit[0] = run(System.getenv(), stop);
        done.countDown();
        System.exit(exit[0]);
    }

    /** Runs until the guest stops by itself or {@code stop} opens (SIGTERM). */
    public static int run(Map<String, String> env, CountDownLatch stop) {
        return new LauncherMain(env).launch(stop);
    }

    private int launch(CountDownLatch stop) {
        Path termination = Path.of(env.getOrDefault("FERRY_TERMINATION_LOG", "/dev/termination-log"));
        TerminationMessage outcome;
        int port = Integer.parseInt(env.getOrDefault("FERRY_METRICS_PORT", "8443"));
        try (MetricsEndpoint control = port < 0 ? null : new MetricsEndpoint(port)) {
            if (control != null) {
                control.handle("/status", this::status);
                control.handle("/pause", exchange -> suspend(exchange, true));
                control.handle("/unpause", exchange -> suspend(exchange, false));
                control.handle("/console", this::console);
                control.handle("/migrate", this::migrate);
            }
            outcome = runGuest(stop);
        } catch (IOException e) {
            outcome = message("Failed", "LauncherError", "cannot serve the control endpoint: " + e.getMessage());
        }
        state = "Stopped";
        try {
            outcome.write(termination);
        } catch (IOException e) {
            LOG.severe(() -> "could not write the termination message: " + e.getMessage());
        }
        return outcome.succeeded() ? 0 : 1;
    }

    private TerminationMessage runGuest(CountDownLatch stop) {
        try {
            VirtualMachineInstance vmi = Serialization.unmarshal(env.containsKey("FERRY_VMI_JSON") ? env.get("FERRY_VMI_JSON")
                    : Files.readString(Path.of(required(env, "FERRY_VMI"))), VirtualMachineInstance.class);
            console = Path.of(env.getOrDefault("FERRY_CONSOLE_LOG", "/var/run/ferry/console.log"));
            Files.createDirectories(console.toAbsolutePath().getParent());
            String chosen = Accelerator.choose(env.getOrDefault("FERRY_ACCELERATOR", "auto"),
                    Files.createTempDirectory("ferry-launcher"), Duration.ofSeconds(8),
                    Path.of(env.getOrDefault("FERRY_ACCELERATOR_CACHE", "/run/ferry/accelerator")));
            accelerator = "kvm".equals(chosen) ? "kvm" : "tcg";
            Map<String, Path> volumes = volumes(env);
            Path scratch = console.toAbsolutePath().getParent();
            volumes.putAll(cloudInit(vmi, Files.createDirectories(scratch.resolve("cloud-init"))));
            volumes.putAll(ephemeral(vmi, Files.createDirectories(scratch.resolve("ephemeral")), env));
            DomainSpec spec = DomainSpec.from(vmi, volumes, console, chosen);
            long grace = vmi.getSpec().terminationGracePeriodSeconds == null ? 30 : vmi.getSpec().terminationGracePeriodSeconds;
            boolean target = "true".equals(env.get("FERRY_MIGRATION_TARGET"));
            try (LibvirtDaemon daemon = env.containsKey("FERRY_LIBVIRT_URI") ? null
                    : LibvirtDaemon.start(Path.of(env.getOrDefault("FERRY_LIBVIRT_RUN_DIR", "/run/ferry")), Duration.ofSeconds(20));
                    Launcher running = new Launcher(daemon == null ? env.get("FERRY_LIBVIRT_URI") : daemon.uri())) {
                libvirtUri = daemon == null ? env.get("FERRY_LIBVIRT_URI") : daemon.uri();
                domainName = spec.name();
                if (target) {
                    migrationPort = freePort();
                    state = "WaitingForMigration";
                    running.adopt(spec.name(), stop);
                } else {
                    running.start(spec);
                }
                launcher = running;
                // while migrating, the domain leaves this daemon before migrate() returns: wait for the outcome
                while ((running.running() || "Migrating".equals(state)) && stop.getCount() > 0) {
                    if (!"Migrating".equals(state) && !"Migrated".equals(state)) {
                        state = running.state() == org.libvirt.DomainInfo.DomainState.VIR_DOMAIN_PAUSED ? "Paused" : "Running";
                    }
                    stop.await(200, TimeUnit.MILLISECONDS);
                }
                if ("Migrated".equals(state)) {
                    stop.await();
                    return message("Succeeded", "Migrated", "the guest moved to another launcher by live migration");
                }
                if (stop.getCount() == 0 && target && !running.running()) {
                    return message("Succeeded", "MigrationCancelled", "stopped before a migration brought the guest here");
                }
                if (running.running()) {
                    state = "Stopping";
                    boolean graceful = running.stop(Duration.ofSeconds(grace));
                    return message("Succeeded", graceful ? "Shutdown" : "Destroyed", graceful
                            ? "the guest shut down on request" : "the guest did not shut down within " + grace + " s; destroyed");
                }
                return message("Succeeded", "GuestPoweredOff", "the guest powered off (" + accelerator + ")");
            } finally {
                launcher = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return message("Failed", "Interrupted", "interrupted");
        } catch (IOException | IllegalArgumentException | Launcher.LauncherException e) {
            LOG.log(Level.SEVERE, "launcher failed: " + e.getMessage());
            return message("Failed", "LauncherError", e.getMessage());
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", state);
        body.put("accelerator", accelerator);
        body.put("domain", domainName);
        body.put("libvirtUri", libvirtUri);
        body.put("migrationPort", migrationPort == 0 ? null : migrationPort);
        body.put("console", console == null ? null : console.toAbsolutePath().toString());
        body.put("migration", migration);
        reply(exchange, 200, "application/json", Serialization.asJson(body).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code POST /migrate} (JSON: targetUri, migrationUri, consoleTo, unsafe, maxDowntimeMillis,
     * bandwidthMiBps, completionTimeoutSeconds, progressTimeoutSeconds) starts moving the guest to another
     * launcher and answers 202; {@code POST /migrate?abort} cancels it. Progress and the outcome
     * show in {@code /status} under {@code migration}.
     */
    private void migrate(HttpExchange exchange) throws IOException {
        Launcher running = launcher;
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "text/plain", "POST only\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if ("abort".equals(exchange.getRequestURI().getQuery())) {
            Map<String, Object> now = migration;
            if (running != null && now != null && "Running".equals(now.get("phase"))) {
                aborted = "the migration was cancelled";
                running.abortMigration();
            }
            reply(exchange, 200, "text/plain", "abort requested\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (running == null || !("Running".equals(state) || "Paused".equals(state))) {
            reply(exchange, 409, "text/plain", ("the guest is " + state + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> request = Serialization.unmarshal(new String(exchange.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8), Map.class);
        String targetUri = (String) request.get("targetUri");
        String migrationUri = (String) request.get("migrationUri");
        if (targetUri == null || migrationUri == null) {
            reply(exchange, 400, "text/plain", "targetUri and migrationUri are required\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("phase", "Running");
        started.put("startTimestamp", java.time.Instant.now().toString());
        migration = started;
        state = "Migrating";
        aborted = null;
        Thread worker = new Thread(() -> runMigration(running, request, started), "ferry-migration");
        worker.setDaemon(true);
        worker.start();
        reply(exchange, 202, "text/plain", "migration started\n".getBytes(StandardCharsets.UTF_8));
    }

    private volatile String aborted;

    private void runMigration(Launcher running, Map<String, Object> request, Map<String, Object> started) {
        long completionTimeout = number(request, "completionTimeoutSeconds", 0);
        long progressTimeout = number(request, "progressTimeoutSeconds", 150);
        java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        long begin = System.nanoTime();
        long[] best = {Long.MAX_VALUE, System.nanoTime()};
        watchdog.scheduleWithFixedDelay(() -> {
            long remaining = running.migrationRemaining();
            long now = System.nanoTime();
            if (remaining >= 0 && remaining < best[0]) {
                best[0] = remaining;
                best[1] = now;
            }
            if (completionTimeout > 0 && now - begin > TimeUnit.SECONDS.toNanos(completionTimeout)) {
                aborted = "the migration did not complete within " + completionTimeout + " s (completionTimeoutPerGiB)";
                running.abortMigration();
            } else if (progressTimeout > 0 && now - best[1] > TimeUnit.SECONDS.toNanos(progressTimeout)) {
                aborted = "the migration made no progress for " + progressTimeout + " s (progressTimeout)";
                running.abortMigration();
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
        Map<String, Object> result = new LinkedHashMap<>(started);
        try {
            // the launcher's own files (console log, cloud-init seeds) live beside its console log: map that directory
            String consoleTo = (String) request.get("consoleTo");
            String consoleFrom = console == null ? null : console.toAbsolutePath().toString();
            java.util.function.UnaryOperator<String> forTarget = xml -> {
                if (consoleFrom == null || consoleTo == null) {
                    return xml;
                }
                String fromDir = Path.of(consoleFrom).getParent() + "/";
                String toDir = Path.of(consoleTo).getParent() + "/";
                String mapped = xml.replace(consoleFrom, consoleTo);
                return fromDir.equals(toDir) ? mapped : mapped.replace(fromDir, toDir);
            };
            Launcher.MigrationStats stats = running.migrate((String) request.get("targetUri"), (String) request.get("migrationUri"),
                    forTarget,
                    Boolean.TRUE.equals(request.get("unsafe")), number(request, "maxDowntimeMillis", 0),
                    number(request, "bandwidthMiBps", 0));
            state = "Migrated";
            result.put("phase", "Succeeded");
            result.put("downtimeMillis", stats.downtimeMillis());
            result.put("totalMillis", stats.totalMillis());
            result.put("callMillis", stats.callMillis());
            result.put("dataBytes", stats.dataBytes());
            LOG.info(() -> "migrated: job " + stats.totalMillis() + " ms, downtime " + stats.downtimeMillis() + " ms, libvirt call "
                    + stats.callMillis() + " ms");
        } catch (Launcher.LauncherException e) {
            result.put("phase", "Failed");
            result.put("message", aborted != null ? aborted : e.getMessage());
            state = "Running";
            LOG.warning(() -> "migration failed: " + result.get("message"));
        } finally {
            watchdog.shutdownNow();
        }
        result.put("endTimestamp", java.time.Instant.now().toString());
        migration = result;
    }

    private static long number(Map<String, Object> request, String key, long fallback) {
        Object value = request.get(key);
        return value instanceof Number n ? n.longValue() : fallback;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void suspend(HttpExchange exchange, boolean pause) throws IOException {
        Launcher running = launcher;
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "text/plain", "POST only\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (running == null) {
            reply(exchange, 409, "text/plain", ("the guest is " + state + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        try {
            if (pause) {
                running.pause();
            } else {
                running.resume();
            }
            state = pause ? "Paused" : "Running";
            reply(exchange, 200, "text/plain", (state + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (Launcher.LauncherException e) {
            reply(exchange, 500, "text/plain", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The serial log from {@code ?from=N}, at most 64 KiB per answer; the next offset in X-Ferry-Console-Offset. */
    private void console(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        long from = 0;
        if (query != null && query.startsWith("from=")) {
            try {
                from = Math.max(0, Long.parseLong(query.substring(5)));
            } catch (NumberFormatException e) {
                reply(exchange, 400, "text/plain", "from= takes a byte offset\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        byte[] chunk = new byte[0];
        Path log = console;
        if (log != null && Files.exists(log)) {
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                long length = file.length();
                if (from < length) {
                    chunk = new byte[(int) Math.min(CONSOLE_CHUNK, length - from)];
                    file.seek(from);
                    file.readFully(chunk);
                }
            }
        }
        exchange.getResponseHeaders().set("X-Ferry-Console-Offset", String.valueOf(from + chunk.length));
        exchange.getResponseHeaders().set("X-Ferry-Launcher-State", state);
        reply(exchange, 200, "application/octet-stream", chunk);
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static TerminationMessage message(String outcome, String reason, String text) {
        return new TerminationMessage(outcome, reason, text, "Failed".equals(outcome) ? Boolean.TRUE : null,
                null, null, null, null, null);
    }

    /**
     * Writes a NoCloud seed ISO for each cloudInitNoCloud volume (instance-id name.namespace and
     * local-hostname name, as KubeVirt) and returns volume → ISO path.
     */
    static Map<String, Path> cloudInit(VirtualMachineInstance vmi, Path dir) throws IOException {
        Map<String, Path> seeds = new HashMap<>();
        for (var volume : vmi.getSpec().volumes == null ? java.util.List.<dev.ferry.api.kubevirt.v1.VmiSpec.Volume>of()
                : vmi.getSpec().volumes) {
            var source = volume.cloudInitNoCloud;
            if (source == null) {
                continue;
            }
            if (source.secretRef != null || source.networkDataSecretRef != null) {
                throw new IllegalArgumentException("volume " + volume.name + ": cloudInitNoCloud secretRef is not supported"
                        + " yet; give userData or userDataBase64");
            }
            String user = source.userData != null ? source.userData : decode(volume.name, "userDataBase64", source.userDataBase64);
            String network = source.networkData != null ? source.networkData
                    : decode(volume.name, "networkDataBase64", source.networkDataBase64);
            Path iso = dir.resolve(volume.name + ".iso");
            String name = vmi.getMetadata().getName();
            dev.ferry.vmruntime.CloudInitIso.write(iso, "cidata", dev.ferry.vmruntime.CloudInitIso.seed(
                    name + "." + vmi.getMetadata().getNamespace(), name, user, network));
            seeds.put(volume.name, iso);
        }
        return seeds;
    }

    /**
     * Ephemeral disks, gone with the launcher as in KubeVirt: an emptyDisk is a sparse raw file of
     * its capacity; a containerDisk is pulled from its registry through the importer (the disk file
     * under /disk in the image, any format, converted to raw) — writes to it are lost at the end.
     * {@code FERRY_INSECURE_REGISTRIES} (host or host:port, comma-separated) are reached over plain HTTP.
     */
    static Map<String, Path> ephemeral(VirtualMachineInstance vmi, Path dir, Map<String, String> env) throws IOException {
        Map<String, Path> disks = new HashMap<>();
        java.util.List<String> insecure = java.util.Arrays.stream(env.getOrDefault("FERRY_INSECURE_REGISTRIES", "").split(","))
                .map(String::strip).filter(r -> !r.isEmpty()).toList();
        for (var volume : vmi.getSpec().volumes == null ? java.util.List.<dev.ferry.api.kubevirt.v1.VmiSpec.Volume>of()
                : vmi.getSpec().volumes) {
            Path disk = dir.resolve(volume.name + ".img");
            if (volume.emptyDisk != null) {
                if (volume.emptyDisk.capacity == null) {
                    throw new IllegalArgumentException("volume " + volume.name + ": emptyDisk needs a capacity");
                }
                long bytes = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(volume.emptyDisk.capacity).longValue();
                try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
                    file.setLength(bytes);
                }
                disks.put(volume.name, disk);
            } else if (volume.containerDisk != null) {
                String image = volume.containerDisk.image;
                if (image == null || image.isBlank()) {
                    throw new IllegalArgumentException("volume " + volume.name + ": containerDisk needs an image");
                }
                String reference = image.startsWith("docker://") ? image : "docker://" + image;
                String host = reference.substring("docker://".length()).split("/", 2)[0];
                boolean plain = insecure.contains(host) || insecure.contains(host.replaceFirst(":\\d+$", ""));
                var options = new dev.ferry.importer.source.SourceOptions(null, plain, java.util.List.of(), null,
                        dev.ferry.importer.source.SourceOptions.DEFAULT_RETRIES, dev.ferry.importer.source.SourceOptions.DEFAULT_STALL_TIMEOUT,
                        null, null);
                long started = System.nanoTime();
                var result = dev.ferry.importer.Importer.run(reference, options, disk, dev.ferry.disk.convert.ImportOptions.defaults(),
                        new dev.ferry.disk.progress.TransferProgress());
                LOG.info(() -> "containerDisk " + image + " → " + disk + " (" + result.format() + ", "
                        + (System.nanoTime() - started) / 1_000_000 + " ms)");
                disks.put(volume.name, disk);
            }
        }
        return disks;
    }

    private static String decode(String volume, String field, String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return new String(java.util.Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("volume " + volume + ": " + field + " is not base64: " + e.getMessage());
        }
    }

    /** FERRY_VOLUME_ROOT_DISK=/data/root-disk → volume "root-disk" (volume names are DNS labels: no '_', no capitals). */
    static Map<String, Path> volumes(Map<String, String> env) {
        Map<String, Path> volumes = new HashMap<>();
        env.forEach((key, value) -> {
            if (key.startsWith("FERRY_VOLUME_")) {
                volumes.put(key.substring("FERRY_VOLUME_".length()).toLowerCase(Locale.ROOT).replace('_', '-'), Path.of(value));
            }
        });
        return volumes;
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value;
    }
}
