package dev.ferry.cli;

import dev.ferry.controllers.app.ControllerMain;
import dev.ferry.importer.app.ImporterMain;
import dev.ferry.uploader.app.UploadProxyMain;
import dev.ferry.uploader.app.UploadServerMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry worker NAME}: what a worker Pod runs — configured by {@code FERRY_*} environment
 * variables only, as the architecture's worker contract says. The local node agent starts
 * workers the same way.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a Ferry process (importer, upload-server, upload-proxy, controller, launcher, node-handler), configured by FERRY_* variables.")
final class WorkerCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "importer, upload-server, upload-proxy, controller, launcher or node-handler")
    String name;

    @Override
    public Integer call() throws Exception {
        switch (name) {
            case "importer" -> ImporterMain.main(new String[0]);
            case "upload-server" -> UploadServerMain.main(new String[0]);
            case "upload-proxy" -> UploadProxyMain.main(new String[0]);
            case "controller" -> ControllerMain.main(new String[0]);
            case "launcher" -> dev.ferry.vmruntime.app.LauncherMain.main(new String[0]);
            case "node-handler" -> dev.ferry.vmruntime.app.NodeHandlerMain.main(new String[0]);
            default -> throw new IllegalArgumentException("no worker named '" + name
                    + "'; workers: importer, upload-server, upload-proxy, controller, launcher, node-handler");
        }
        return 0;
    }
}
