package dev.ferry.vmruntime.app;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.vmruntime.Accelerator;
import dev.ferry.vmruntime.DomainSpec;
import dev.ferry.vmruntime.Launcher;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The launcher worker (one per VMI): {@code FERRY_VMI} (the VMI as YAML or JSON, a file),
 * {@code FERRY_VOLUME_<NAME>} (each volume's local path: a claim's directory or a block device;
 * the volume name upper-cased with '-' as '_'), {@code FERRY_CONSOLE_LOG}, {@code FERRY_ACCELERATOR}
 * (kvm|qemu|auto), {@code FERRY_LIBVIRT_URI} (qemu:///system), {@code FERRY_TERMINATION_LOG}.
 * Runs the guest until it powers off (exit 0) or is stopped: SIGTERM shuts it down gracefully
 * within the VMI's terminationGracePeriodSeconds (default 30), then destroys it.
 */
public final class LauncherMain {
    private static final Logger LOG = Logger.getLogger(LauncherMain.class.getName());

    private LauncherMain() {
    }

    public static void main(String[] args) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "ferry-launcher-sigterm"));
        System.exit(run(System.getenv(), stop));
    }

    /** Runs until the guest stops by itself or {@code stop} opens (SIGTERM). */
    public static int run(Map<String, String> env, CountDownLatch stop) {
        Path termination = Path.of(env.getOrDefault("FERRY_TERMINATION_LOG", "/dev/termination-log"));
        TerminationMessage outcome;
        try {
            VirtualMachineInstance vmi = Serialization.unmarshal(Files.readString(Path.of(required(env, "FERRY_VMI"))),
                    VirtualMachineInstance.class);
            Path console = Path.of(env.getOrDefault("FERRY_CONSOLE_LOG", "/var/run/ferry/console.log"));
            Files.createDirectories(console.toAbsolutePath().getParent());
            String accelerator = Accelerator.choose(env.getOrDefault("FERRY_ACCELERATOR", "auto"),
                    Files.createTempDirectory("ferry-launcher"), Duration.ofSeconds(8));
            DomainSpec spec = DomainSpec.from(vmi, volumes(env), console, accelerator);
            long grace = vmi.getSpec().terminationGracePeriodSeconds == null ? 30 : vmi.getSpec().terminationGracePeriodSeconds;
            try (Launcher launcher = new Launcher(env.getOrDefault("FERRY_LIBVIRT_URI", "qemu:///system"))) {
                launcher.start(spec);
                while (launcher.running() && stop.getCount() > 0) {
                    stop.await(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                if (launcher.running()) {
                    boolean graceful = launcher.stop(Duration.ofSeconds(grace));
                    outcome = message("Succeeded", graceful ? "Shutdown" : "Destroyed", graceful
                            ? "the guest shut down on request" : "the guest did not shut down within " + grace + " s; destroyed");
                } else {
                    outcome = message("Succeeded", "GuestPoweredOff", "the guest powered off (" + accelerator + ")");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = message("Failed", "Interrupted", "interrupted");
        } catch (IOException | IllegalArgumentException | Launcher.LauncherException e) {
            LOG.log(Level.SEVERE, "launcher failed: " + e.getMessage());
            outcome = message("Failed", "LauncherError", e.getMessage());
        }
        try {
            outcome.write(termination);
        } catch (IOException e) {
            LOG.severe(() -> "could not write the termination message: " + e.getMessage());
        }
        return outcome.succeeded() ? 0 : 1;
    }

    private static TerminationMessage message(String outcome, String reason, String text) {
        return new TerminationMessage(outcome, reason, text, "Failed".equals(outcome) ? Boolean.TRUE : null,
                null, null, null, null, null);
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
