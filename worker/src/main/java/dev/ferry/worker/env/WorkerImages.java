package dev.ferry.worker.env;

/**
 * The container image of each worker the controller starts, from its configuration — never
 * derived from another image's name.
 */
public record WorkerImages(String importer, String uploadServer, String launcher, String cloneSource, String exportServer) {
    public static final String VERSION = "0.1.0";
    public static final WorkerImages DEFAULTS = new WorkerImages("ferry/importer:" + VERSION,
            "ferry/upload-server:" + VERSION, "ferry/launcher:" + VERSION, "ferry/clone-source:" + VERSION,
            "ferry/export-server:" + VERSION);
    static final String IMPORTER = "FERRY_IMPORTER_IMAGE";
    static final String UPLOAD_SERVER = "FERRY_UPLOAD_SERVER_IMAGE";
    static final String LAUNCHER = "FERRY_LAUNCHER_IMAGE";
    static final String CLONE_SOURCE = "FERRY_CLONE_SOURCE_IMAGE";
    static final String EXPORT_SERVER = "FERRY_EXPORT_SERVER_IMAGE";

    static WorkerImages read(EnvReader env) {
        return new WorkerImages(env.string(IMPORTER, DEFAULTS.importer()), env.string(UPLOAD_SERVER, DEFAULTS.uploadServer()),
                env.string(LAUNCHER, DEFAULTS.launcher()), env.string(CLONE_SOURCE, DEFAULTS.cloneSource()),
                env.string(EXPORT_SERVER, DEFAULTS.exportServer()));
    }

    void write(EnvWriter env) {
        env.put(IMPORTER, importer).put(UPLOAD_SERVER, uploadServer).put(LAUNCHER, launcher).put(CLONE_SOURCE, cloneSource)
                .put(EXPORT_SERVER, exportServer);
    }
}
