package dev.ferry.vmruntime.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest with a guest agent: {@code bin/guest-image} (an ext4 root disk with Debian's qemu-ga,
 * an fsfreeze hook that prints {@code guest: fsfreeze freeze|thaw} on the console, and an init that
 * counts into {@code /var/lib/ferry/counter}, syncing each value), built once per machine under
 * {@code target/} of the module.
 */
public final class AgentGuest {
    private static final Pattern HOLDS = Pattern.compile("counter file holds (\\d+)");
    private static Path built;

    private AgentGuest() {
    }

    /** The directory holding disk.qcow2, vmlinuz and initrd.img. */
    public static synchronized Path image() throws IOException {
        if (built != null) {
            return built;
        }
        Tools.require("qemu-img");
        Tools.require("mke2fs");
        assertThat(Path.of("/usr/sbin/qemu-ga")).as("qemu-guest-agent: run `make deps`").exists();
        Path script = script();
        Path out = Path.of("target", "agent-guest").toAbsolutePath();
        Tools.run(script.toString(), out.toString());
        built = out;
        return built;
    }

    public static Path kernel() throws IOException {
        return image().resolve("vmlinuz");
    }

    public static Path initrd() throws IOException {
        return image().resolve("initrd.img");
    }

    public static Path qcow2() throws IOException {
        return image().resolve("disk.qcow2");
    }

    /** A volume directory whose raw disk.img of {@code size} holds the guest's root filesystem. */
    public static Path volume(Path dir, String name, String size) throws IOException {
        Path volume = Files.createDirectories(dir.resolve(name));
        Path disk = volume.resolve("disk.img");
        Tools.run("qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", qcow2().toString(), disk.toString());
        Tools.run("qemu-img", "resize", "-q", "-f", "raw", disk.toString(), size);
        return volume;
    }

    /** What the guest found in its counter file when it booted (the last such line of the log), or -1. */
    public static int counterAtBoot(String console) {
        Matcher m = HOLDS.matcher(console);
        int found = -1;
        while (m.find()) {
            found = Integer.parseInt(m.group(1));
        }
        return found;
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("bin/guest-image"))) {
                return dir.resolve("bin/guest-image");
            }
        }
        throw new AssertionError("bin/guest-image not found above " + Path.of("").toAbsolutePath());
    }
}
