package dev.ferry.importer.app;

import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.importer.Importer;
import dev.ferry.worker.ProgressMetrics;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.WorkerEnvironment;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The importer worker: configuration from {@code FERRY_*} variables, the volume at /data or
 * /dev/ferry-block, progress on a metrics port, the result in the termination-message file,
 * exit 0 only when the disk is complete and synced. Same code path as {@code ferry import}.
 */
public final class ImporterMain {
    private static final Logger LOG = Logger.getLogger(ImporterMain.class.getName());

    private ImporterMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> variables) {
        WorkerEnvironment env = new WorkerEnvironment(variables);
        TerminationMessage outcome;
        try {
            WorkerConfig config = WorkerConfig.fromEnvironment(env);
            outcome = TerminationMessage.success(importWithMetrics(config, env.ownerUid()),
                    "Import complete");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "import failed: " + e.getMessage(), e instanceof RuntimeException ? e : null);
            outcome = TerminationMessage.failure(e);
        }
        try {
            outcome.write(env.terminationLog());
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "could not write the termination message: " + e.getMessage());
        }
        return outcome.succeeded() ? 0 : 1;
    }

    private static ImportResult importWithMetrics(WorkerConfig config, String ownerUid) throws IOException {
        TransferProgress progress = new TransferProgress();
        try (ProgressMetrics metrics = config.metricsPort() >= 0
                ? new ProgressMetrics("import", progress, ownerUid, config.metricsPort()) : null) {
            LOG.info(() -> "importing " + config.source() + " to " + config.destination()
                    + (metrics == null ? "" : ", metrics on port " + metrics.port()));
            ImportResult result = Importer.run(config.source(), config.sourceOptions(), config.destination(),
                    config.importOptions(), progress);
            LOG.info(() -> "imported " + result);
            return result;
        }
    }
}
