package dev.ferry.worker.env;

import java.nio.file.Path;
import java.util.Map;

/**
 * The clone source worker's environment (host-assisted clone, one per clone): the source volume,
 * mounted read-only, the target's upload server, the client certificate that proves which clone
 * this is, and how it reports.
 *
 * @param source the source volume: a filesystem volume's directory or a block device
 * @param block whether {@code source} is a block device
 * @param contentType kubevirt (the disk image) or archive (the whole filesystem)
 * @param uploadUrl the upload server of the target, e.g. https://cdi-upload-disk.vms.svc:443
 * @param clientCert the client certificate (CN {@code <srcNs>/<src>-<tgtNs>/<tgt>})
 * @param clientKey its key
 * @param serverCa the CA the upload server's certificate chains to
 * @param retries how many dropped connections to resume from
 */
public record CloneSourceEnv(Path source, boolean block, String contentType, String uploadUrl, Path clientCert, Path clientKey,
        Path serverCa, int retries, Reporting reporting) {
    public static final String SOURCE_PATH = "/var/run/ferry/clone/source";
    public static final int DEFAULT_METRICS_PORT = 8443;
    private static final String SOURCE = "FERRY_CLONE_SOURCE";
    private static final String BLOCK = "FERRY_CLONE_SOURCE_BLOCK";
    private static final String CONTENT_TYPE = "FERRY_CONTENT_TYPE";
    private static final String UPLOAD_URL = "FERRY_CLONE_UPLOAD_URL";
    private static final String CLIENT_CERT = "FERRY_CLONE_CLIENT_CERT";
    private static final String CLIENT_KEY = "FERRY_CLONE_CLIENT_KEY";
    private static final String SERVER_CA = "FERRY_CLONE_SERVER_CA";
    private static final String RETRIES = "FERRY_RETRIES";

    public static CloneSourceEnv fromEnv(Map<String, String> variables) {
        EnvReader env = new EnvReader(variables);
        return new CloneSourceEnv(env.path(SOURCE, SOURCE_PATH), env.bool(BLOCK, false), env.string(CONTENT_TYPE, DiskTarget.KUBEVIRT),
                env.required(UPLOAD_URL), requiredPath(env, CLIENT_CERT), requiredPath(env, CLIENT_KEY), requiredPath(env, SERVER_CA),
                env.integer(RETRIES, 20), Reporting.read(env, DEFAULT_METRICS_PORT));
    }

    private static Path requiredPath(EnvReader env, String key) {
        return Path.of(env.required(key));
    }

    public Map<String, String> toEnv() {
        EnvWriter env = new EnvWriter().put(SOURCE, source).flag(BLOCK, block).put(CONTENT_TYPE, contentType).put(UPLOAD_URL, uploadUrl)
                .put(CLIENT_CERT, clientCert).put(CLIENT_KEY, clientKey).put(SERVER_CA, serverCa).put(RETRIES, retries);
        reporting.write(env);
        return env.map();
    }
}
