package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The export server worker's environment (one per VirtualMachineExport, KubeVirt's
 * virt-exportserver): the volumes it serves, mounted read-only, the token a request must carry,
 * its TLS certificate, the manifests it hands out, where it listens and how it reports.
 *
 * @param volumes each exported volume by its name in the URLs (the claim's name): its mount (a
 *     filesystem volume's directory or a block device) and whether its content is an archive
 * @param tokenFile the file holding the token ({@code x-kubevirt-export-token}), mounted from the export's token Secret
 * @param manifests a directory of manifests served under {@code /internal/manifests/<file>}
 *     and {@code /external/manifests/<file>}, or null
 */
public record ExportServerEnv(String host, int port, Path tlsCert, Path tlsKey, Path tokenFile, Map<String, Volume> volumes,
        Path manifests, Reporting reporting) {
    public static final int DEFAULT_PORT = 8443;
    public static final int DEFAULT_METRICS_PORT = 8080;
    /** Where the controller mounts each volume: {@code VOLUMES/<name>}. */
    public static final String VOLUMES = "/export-volumes";
    private static final String VOLUME_PREFIX = "FERRY_EXPORT_VOLUME_";
    private static final String ARCHIVE_PREFIX = "FERRY_EXPORT_ARCHIVE_";
    private static final String TLS_CERT = "FERRY_EXPORT_TLS_CERT";
    private static final String TLS_KEY = "FERRY_EXPORT_TLS_KEY";
    private static final String TOKEN_FILE = "FERRY_EXPORT_TOKEN_FILE";
    private static final String MANIFESTS = "FERRY_EXPORT_MANIFESTS";

    /** One exported volume: where it is mounted; an archive is served as dir/ and disk.tar.gz, a disk as disk.img(.gz). */
    public record Volume(Path path, boolean archive) {
    }

    public ExportServerEnv {
        volumes = Map.copyOf(volumes == null ? Map.of() : volumes);
        if (volumes.isEmpty()) {
            throw new InvalidEnvironmentException("no " + VOLUME_PREFIX + "<NAME> names a volume to export");
        }
    }

    public static ExportServerEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        Map<String, Volume> volumes = new TreeMap<>();
        env.all().forEach((key, value) -> {
            if (key.startsWith(VOLUME_PREFIX) && !value.isBlank()) {
                String suffix = key.substring(VOLUME_PREFIX.length());
                volumes.put(suffix.toLowerCase(Locale.ROOT).replace('_', '-'),
                        new Volume(Path.of(value), env.bool(ARCHIVE_PREFIX + suffix, false)));
            }
        });
        return new ExportServerEnv(env.string(UploadServerEnv.HOST, "0.0.0.0"), env.integer(UploadServerEnv.PORT, DEFAULT_PORT),
                requiredPath(env, TLS_CERT), requiredPath(env, TLS_KEY), requiredPath(env, TOKEN_FILE), volumes,
                env.path(MANIFESTS), Reporting.read(env, DEFAULT_METRICS_PORT));
    }

    private static Path requiredPath(EnvReader env, String key) {
        return Path.of(env.required(key));
    }

    /** FERRY_EXPORT_VOLUME_WEB_ROOT for volume "web-root" (claim names are DNS names: no '_', no capitals). */
    static String key(String prefix, String volume) {
        return prefix + volume.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** The volumes' names, in order. */
    public List<String> names() {
        return List.copyOf(new TreeMap<>(volumes).keySet());
    }

    public Map<String, String> toEnv() {
        Map<String, String> paths = new LinkedHashMap<>();
        new TreeMap<>(volumes).forEach((name, volume) -> {
            paths.put(key(VOLUME_PREFIX, name), volume.path().toString());
            if (volume.archive()) {
                paths.put(key(ARCHIVE_PREFIX, name), "true");
            }
        });
        EnvWriter env = new EnvWriter().put(UploadServerEnv.HOST, host).put(UploadServerEnv.PORT, port).put(TLS_CERT, tlsCert)
                .put(TLS_KEY, tlsKey).put(TOKEN_FILE, tokenFile).all(paths).put(MANIFESTS, manifests);
        reporting.write(env);
        return env.map();
    }
}
