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
    /**
     * POST a {@link FreezeRequest}: the guest agent freezes the guest's filesystems (200), thawed by
     * {@value #UNFREEZE} or, as a safety net, after the request's unfreeze timeout; 409 while
     * migrating or without an agent.
     */
    public static final String FREEZE = "/freeze";
    /** POST: thaws the guest's filesystems (200; also when they were not frozen). */
    public static final String UNFREEZE = "/unfreeze";
    public static final String HEADER_CONSOLE_OFFSET = "X-Ferry-Console-Offset";
    public static final String HEADER_STATE = "X-Ferry-Launcher-State";
    public static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private LauncherApi() {
    }
}
