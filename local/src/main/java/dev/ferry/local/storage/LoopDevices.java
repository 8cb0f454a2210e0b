package dev.ferry.local.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The loop devices that stand in for a CSI driver's block devices: every Block volume of local
 * storage is a sparse file of exactly the claim's size, attached with {@code losetup} and handed
 * to Pods as the device a kubelet would map. Devices are attached when a volume is bound or local
 * mode starts, and detached when the volume is released or local mode stops. A device left by a
 * run that crashed is found by its backing file under the data root: reused when its volume is
 * still there, detached when it is not — never leaked, never attached twice.
 */
final class LoopDevices {
    private static final Logger LOG = Logger.getLogger(LoopDevices.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DELETED = " (deleted)";

    /** Backing file → its device, for the devices this data root holds. */
    private final Map<Path, String> attached = new ConcurrentHashMap<>();
    private final Path root;

    /** Devices of backing files under {@code root} (a data root's volumes directory). */
    LoopDevices(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Takes over what an earlier run left attached under the root: a device whose backing file
     * {@code keep} accepts is reused (the first one, when a file was attached twice); every other
     * one is detached. Returns the devices reused and released, for the start-up report.
     */
    Recovered recover(Predicate<Path> keep) throws IOException {
        List<String> reused = new ArrayList<>();
        List<String> released = new ArrayList<>();
        for (Map.Entry<String, Path> device : list().entrySet()) {
            Path file = device.getValue();
            if (file.toString().endsWith(DELETED) || !keep.test(file) || attached.putIfAbsent(file, device.getKey()) != null) {
                detach(device.getKey());
                released.add(device.getKey() + " (" + file + ")");
            } else {
                reused.add(device.getKey() + " → " + file);
            }
        }
        return new Recovered(reused, released);
    }

    /** What {@link #recover} found. */
    record Recovered(List<String> reused, List<String> released) {
    }

    /** The device of {@code file}, attaching it when it has none. */
    synchronized String attach(Path file) throws IOException {
        Path backing = file.toAbsolutePath().normalize();
        String device = live(backing);
        if (device != null) {
            return device;
        }
        String made = losetup("--find", "--show", "--direct-io=off", backing.toString()).strip();
        if (!made.startsWith("/dev/loop")) {
            throw new IOException("losetup attached " + backing + " to an unexpected device: " + made);
        }
        attached.put(backing, made);
        LOG.info(() -> "attached " + made + " for the block volume " + backing.getFileName());
        return made;
    }

    /**
     * The device attached to {@code file} now, or null: the one recorded here, checked against the
     * kernel's record of what it is attached to (a device detached behind our back, and perhaps
     * attached to another file since, must never be handed out).
     */
    String live(Path file) {
        Path backing = file.toAbsolutePath().normalize();
        String device = attached.get(backing);
        if (device == null) {
            return null;
        }
        Path sys = Path.of("/sys/block", Path.of(device).getFileName().toString(), "loop", "backing_file");
        try {
            if (backing.toString().equals(Files.readString(sys).strip())) {
                return device;
            }
        } catch (IOException detached) {
            // no loop/ directory: the device is not attached to anything
        }
        attached.remove(backing, device);
        return null;
    }

    /** Detaches the device of {@code file}, if it has one. */
    synchronized void release(Path file) throws IOException {
        String device = attached.remove(file.toAbsolutePath().normalize());
        if (device != null) {
            detach(device);
            LOG.info(() -> "detached " + device + " of the block volume " + file.getFileName());
        }
    }

    /** Every device this data root holds, by backing file. */
    Map<Path, String> held() {
        return Map.copyOf(attached);
    }

    /** Detaches every device (local mode stopping; the next start attaches them again). */
    synchronized void releaseAll() {
        for (Path file : Set.copyOf(attached.keySet())) {
            try {
                release(file);
            } catch (IOException e) {
                LOG.warning("detaching the loop device of " + file + ": " + e.getMessage());
            }
        }
    }

    /** Loop devices whose backing file lies under the root: device → backing file (as the kernel names it). */
    private Map<String, Path> list() throws IOException {
        JsonNode list = JSON.readTree(losetup("--json", "--list", "--output", "NAME,BACK-FILE"));
        Map<String, Path> devices = new LinkedHashMap<>();
        for (JsonNode device : list.path("loopdevices")) {
            String back = device.path("back-file").asText("");
            if (back.startsWith(root + "/")) {
                devices.put(device.path("name").asText(), Path.of(back));
            }
        }
        return devices;
    }

    private static void detach(String device) throws IOException {
        losetup("--detach", device);
    }

    private static String losetup(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("losetup"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("Block volumes in local mode are loop devices, and losetup could not run (" + e.getMessage()
                    + "): install util-linux (make deps)", e);
        }
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("losetup " + String.join(" ", args) + " did not finish in 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("losetup " + String.join(" ", args) + " failed: " + out.strip()
                        + (out.contains("ermission") ? " — Block volumes in local mode are loop devices, which need root" : ""));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted running losetup");
        }
    }
}
