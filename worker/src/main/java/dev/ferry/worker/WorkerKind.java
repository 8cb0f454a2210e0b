package dev.ferry.worker;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Ferry's processes, as {@code ferry worker NAME} names them. A Pod picks its worker with the
 * container arguments {@link #args()}, so one image can hold every worker.
 */
public enum WorkerKind {
    IMPORTER("importer"),
    UPLOAD_SERVER("upload-server"),
    UPLOAD_PROXY("upload-proxy"),
    CONTROLLER("controller"),
    LAUNCHER("launcher"),
    NODE_HANDLER("node-handler"),
    CLONE_SOURCE("clone-source"),
    SOURCE_POLLER("source-poller"),
    EXPORT_SERVER("export-server");

    private final String workerName;

    WorkerKind(String workerName) {
        this.workerName = workerName;
    }

    public String workerName() {
        return workerName;
    }

    /** The container arguments that run this worker: {@code worker NAME}. */
    public List<String> args() {
        return List.of("worker", workerName);
    }

    /** The worker {@code name} names, or null. */
    public static WorkerKind named(String name) {
        return Arrays.stream(values()).filter(k -> k.workerName.equals(name)).findFirst().orElse(null);
    }

    /** The worker a container's arguments run ({@code worker NAME}), or null. */
    public static WorkerKind fromArgs(List<String> args) {
        return args != null && args.size() >= 2 && "worker".equals(args.get(args.size() - 2)) ? named(args.get(args.size() - 1))
                : null;
    }

    public static String names() {
        return Arrays.stream(values()).map(WorkerKind::workerName).collect(Collectors.joining(", "));
    }
}
