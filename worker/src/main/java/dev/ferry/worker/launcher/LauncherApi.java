package dev.ferry.worker.launcher;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The launcher's control endpoint (on its metrics port), as KubeVirt's launcher answers
 * virt-handler on its command socket: the paths, headers and JSON both sides use.
 */
public final class LauncherApi {
    public static final String STATUS = "/status";
    public static final String PAUSE = "/pause";
    public static final String UNPAUSE = "/unpause";
    /** POST a {@link MigrationRequest} (202), or POST with query {@value #ABORT} to cancel. */
    public static final String MIGRATE = "/migrate";
    public static final String ABORT = "abort";
    /** GET with {@code ?from=N}: the serial log from byte N, at most 64 KiB. */
    public static final String CONSOLE = "/console";
    public static final String CONSOLE_FROM = "from";
    public static final String HEADER_CONSOLE_OFFSET = "X-Ferry-Console-Offset";
    public static final String HEADER_STATE = "X-Ferry-Launcher-State";
    public static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private LauncherApi() {
    }
}
