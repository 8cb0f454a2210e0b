package dev.ferry.vmruntime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * KVM or TCG. {@code /dev/kvm} existing is not enough: under nested virtualization it can exist
 * and hang the guest. So the probe boots the node's kernel with a tiny initramfs under KVM and
 * waits a few seconds for the marker it prints; no marker, or no kernel to try with, means TCG
 * ({@code type='qemu'}), which always works.
 */
public final class Accelerator {
    public static final String KVM = "kvm";
    public static final String TCG = "qemu";
    private static final String MARKER = "FERRY-KVM-WORKS";
    private static final Logger LOG = Logger.getLogger(Accelerator.class.getName());

    private Accelerator() {
    }

    /** {@code FERRY_ACCELERATOR}: kvm, qemu, or auto (probe). */
    public static String choose(String setting, Path workDir, Duration timeout) throws IOException {
        return choose(setting, workDir, timeout, null);
    }

    /**
     * As {@link #choose(String, Path, Duration)}, remembering the probe's answer in {@code cache}
     * (when not null) for this boot of the node: the probe takes seconds, and every launcher on
     * the node would otherwise pay them before its guest starts.
     */
    public static String choose(String setting, Path workDir, Duration timeout, Path cache) throws IOException {
        if (KVM.equals(setting) || TCG.equals(setting)) {
            return setting;
        }
        String boot = bootId();
        if (cache != null && boot != null && Files.isReadable(cache)) {
            String[] remembered = Files.readString(cache).strip().split(" ");
            if (remembered.length == 2 && remembered[0].equals(boot) && (KVM.equals(remembered[1]) || TCG.equals(remembered[1]))) {
                return remembered[1];
            }
        }
        String answer = probe(workDir, timeout);
        if (cache != null && boot != null) {
            try {
                Files.createDirectories(cache.toAbsolutePath().getParent());
                Path temp = Files.createTempFile(cache.toAbsolutePath().getParent(), ".accelerator", ".tmp");
                Files.writeString(temp, boot + " " + answer + "\n");
                Files.move(temp, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                LOG.fine(() -> "cannot remember the accelerator in " + cache + ": " + e.getMessage());
            }
        }
        return answer;
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** Boots a marker-printing initramfs under KVM; returns kvm if the marker shows within {@code timeout}. */
    public static String probe(Path workDir, Duration timeout) throws IOException {
        if (!Files.exists(Path.of("/dev/kvm"))) {
            return TCG;
        }
        Path kernel = newestKernel();
        Path busybox = Path.of("/bin/busybox");
        if (kernel == null || !Files.isExecutable(busybox)) {
            LOG.info("no kernel or busybox to probe KVM with: using TCG");
            return TCG;
        }
        Path initrd = workDir.resolve("kvm-probe.cpio.gz");
        Initramfs.write(initrd, busybox, "#!/bin/busybox sh\n/bin/busybox echo " + MARKER + "\n/bin/busybox poweroff -f\n",
                List.of());
        Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", "kvm", "-m", "128", "-nodefaults", "-nographic",
                "-no-reboot", "-serial", "stdio", "-display", "none", "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 quiet").redirectErrorStream(true).start();
        CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.contains(MARKER)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        });
        try {
            boolean works = seen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info(() -> works ? "KVM works" : "KVM guest printed nothing: using TCG");
            return works ? KVM : TCG;
        } catch (Exception e) {
            LOG.info(() -> "KVM guest did not boot within " + timeout.toSeconds() + " s (nested KVM?): using TCG");
            return TCG;
        } finally {
            qemu.destroyForcibly();
        }
    }

    /** The newest /boot/vmlinuz-*, or null. */
    public static Path newestKernel() throws IOException {
        if (!Files.isDirectory(Path.of("/boot"))) {
            return null;
        }
        try (Stream<Path> files = Files.list(Path.of("/boot"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).filter(Files::isReadable)
                    .max(Comparator.comparing(Path::toString)).orElse(null);
        }
    }
}
