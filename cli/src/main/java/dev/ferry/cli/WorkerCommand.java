package dev.ferry.cli;

import dev.ferry.cloner.app.CloneSourceMain;
import dev.ferry.controllers.app.ControllerMain;
import dev.ferry.controllers.app.NodeHandlerMain;
import dev.ferry.importer.app.ImporterMain;
import dev.ferry.importer.app.SourcePollerMain;
import dev.ferry.uploader.app.UploadProxyMain;
import dev.ferry.uploader.app.UploadServerMain;
import dev.ferry.vmruntime.app.LauncherMain;
import dev.ferry.worker.WorkerKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry worker NAME}: what a worker Pod runs (its container arguments) — configured by its
 * environment only, as the worker contract says. The local node agent starts workers the same way.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a Ferry process (importer, upload-server, upload-proxy, controller, launcher, node-handler, clone-source, source-poller), configured by its environment.")
final class WorkerCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "importer, upload-server, upload-proxy, controller, launcher, node-handler, clone-source or source-poller")
    String name;

    @Override
    public Integer call() throws Exception {
        WorkerKind kind = WorkerKind.named(name);
        if (kind == null) {
            throw new IllegalArgumentException("no worker named '" + name + "'; workers: " + WorkerKind.names());
        }
        String[] none = new String[0];
        switch (kind) {
            case IMPORTER -> ImporterMain.main(none);
            case UPLOAD_SERVER -> UploadServerMain.main(none);
            case UPLOAD_PROXY -> UploadProxyMain.main(none);
            case CONTROLLER -> ControllerMain.main(none);
            case LAUNCHER -> LauncherMain.main(none);
            case NODE_HANDLER -> NodeHandlerMain.main(none);
            case CLONE_SOURCE -> CloneSourceMain.main(none);
            case SOURCE_POLLER -> SourcePollerMain.main(none);
            case EXPORT_SERVER -> dev.ferry.snapshot.app.ExportServerMain.main(none);
        }
        return 0;
    }
}
