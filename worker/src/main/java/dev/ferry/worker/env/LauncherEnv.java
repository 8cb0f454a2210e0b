package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The launcher worker's environment (one per VMI).
 *
 * @param vmiJson the VMI itself as JSON, or null when {@code vmiFile} holds it
 * @param vmiFile a file holding the VMI as YAML or JSON, or null
 * @param volumes each claim volume's local path (a directory holding disk.img, or a block device), by volume name
 * @param consoleLog where the serial console is logged; the launcher's other files go beside it
 * @param accelerator kvm, qemu (TCG) or auto (probe /dev/kvm with a short timeout)
 * @param acceleratorCache where the probe's answer is kept for this boot of the node
 * @param libvirtUri a node libvirtd to use instead of the launcher's own, or null
 * @param libvirtRunDir where the launcher's own libvirtd keeps its sockets
 * @param migrationTarget wait for a guest to arrive by migration instead of starting it
 * @param insecureRegistries registries whose containerDisks are pulled over plain HTTP
 */
public record LauncherEnv(String vmiJson, Path vmiFile, Map<String, Path> volumes, Path consoleLog, String accelerator,
        Path acceleratorCache, String libvirtUri, Path libvirtRunDir, boolean migrationTarget, List<String> insecureRegistries,
        Reporting reporting) {
    public static final int DEFAULT_CONTROL_PORT = 8443;
    private static final String VMI_JSON = "FERRY_VMI_JSON";
    private static final String VMI_FILE = "FERRY_VMI";
    private static final String VOLUME_PREFIX = "FERRY_VOLUME_";
    private static final String CONSOLE_LOG = "FERRY_CONSOLE_LOG";
    private static final String ACCELERATOR = "FERRY_ACCELERATOR";
    private static final String ACCELERATOR_CACHE = "FERRY_ACCELERATOR_CACHE";
    private static final String LIBVIRT_URI = "FERRY_LIBVIRT_URI";
    private static final String LIBVIRT_RUN_DIR = "FERRY_LIBVIRT_RUN_DIR";
    private static final String MIGRATION_TARGET = "FERRY_MIGRATION_TARGET";
    private static final String INSECURE_REGISTRIES = "FERRY_INSECURE_REGISTRIES";

    public LauncherEnv {
        if (vmiJson == null && vmiFile == null) {
            throw new InvalidEnvironmentException(VMI_JSON + " or " + VMI_FILE + " must give the VMI");
        }
        volumes = volumes == null ? Map.of() : Map.copyOf(volumes);
        insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
    }

    public static LauncherEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        Map<String, Path> volumes = new TreeMap<>();
        env.all().forEach((key, value) -> {
            if (key.startsWith(VOLUME_PREFIX) && !value.isBlank()) {
                volumes.put(key.substring(VOLUME_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-'), Path.of(value));
            }
        });
        return new LauncherEnv(env.string(VMI_JSON, null), env.path(VMI_FILE), volumes,
                env.path(CONSOLE_LOG, "/var/run/ferry/console.log"), env.string(ACCELERATOR, "auto"),
                env.path(ACCELERATOR_CACHE, "/run/ferry/accelerator"), env.string(LIBVIRT_URI, null),
                env.path(LIBVIRT_RUN_DIR, "/run/ferry"), env.bool(MIGRATION_TARGET, false),
                env.list(INSECURE_REGISTRIES, ","), Reporting.read(env, DEFAULT_CONTROL_PORT));
    }

    /** The VMI JSON a launcher's container environment carries, or null (what the node reads to prepare the container). */
    public static String vmiJsonOf(Map<String, String> variables) {
        return variables.get(VMI_JSON);
    }

    /** The launcher's control port in its container's environment: what a command run beside it (virt-freezer) talks to. */
    public static int controlPort(Map<String, String> variables) {
        return Reporting.read(new EnvReader(variables), DEFAULT_CONTROL_PORT).metricsPort();
    }

    /** FERRY_VOLUME_ROOT_DISK for volume "root-disk" (volume names are DNS labels: no '_', no capitals). */
    static String volumeKey(String volume) {
        return VOLUME_PREFIX + volume.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public Map<String, String> toEnv() {
        EnvWriter env = new EnvWriter().put(VMI_JSON, vmiJson).put(VMI_FILE, vmiFile);
        Map<String, String> paths = new LinkedHashMap<>();
        new TreeMap<>(volumes).forEach((volume, path) -> paths.put(volumeKey(volume), path.toString()));
        env.all(paths).put(CONSOLE_LOG, consoleLog).put(ACCELERATOR, accelerator).put(ACCELERATOR_CACHE, acceleratorCache)
                .put(LIBVIRT_URI, libvirtUri).put(LIBVIRT_RUN_DIR, libvirtRunDir).flag(MIGRATION_TARGET, migrationTarget)
                .list(INSECURE_REGISTRIES, ",", insecureRegistries);
        reporting.write(env);
        return env.map();
    }
}
