package dev.ferry.importer.app;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.importer.Importer;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.worker.ProgressMetrics;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.ImporterEnv;
import dev.ferry.worker.env.InvalidEnvironmentException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The importer worker: configuration from its environment ({@link ImporterEnv}), the volume at
 * /data or /dev/ferry-block, progress on a metrics port, the result in the termination-message
 * file, exit 0 only when the disk is complete and synced. Same code path as {@code ferry import}.
 */
public final class ImporterMain {
    private static final Logger LOG = Logger.getLogger(ImporterMain.class.getName());

    private ImporterMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> variables) {
        TerminationMessage outcome;
        try {
            ImportResult result = importWithMetrics(ImporterEnv.fromEnv(variables));
            outcome = TerminationMessage.disk(result.format().label(), result.compression() == null ? null
                    : result.compression().label(), result.virtualSize(), result.diskSize(), result.sourceBytes(), "Import complete");
        } catch (DiskException e) {
            LOG.severe(() -> "import failed: " + e.getMessage());
            outcome = TerminationMessage.failure(e.reason().label(), e.reason().retryable(), e);
        } catch (InvalidEnvironmentException e) {
            LOG.severe(() -> "import failed: " + e.getMessage());
            outcome = TerminationMessage.failure(InvalidEnvironmentException.REASON, false, e);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "import failed: " + e.getMessage(), e instanceof RuntimeException ? e : null);
            outcome = TerminationMessage.unexpected(e);
        }
        return outcome.report(variables);
    }

    private static ImportResult importWithMetrics(ImporterEnv env) throws IOException {
        DiskTarget target = env.target();
        ImportOptions options = ImportOptions.parse(target.archive(), target.imageSize(), target.checksum(), target.preallocation());
        TransferProgress progress = new TransferProgress();
        int port = env.reporting().metricsPort();
        try (ProgressMetrics metrics = port < 0 ? null : new ProgressMetrics(ProgressMetrics.Kind.IMPORT,
                new ProgressMetrics.Source(progress::percent, progress::sourceBytes, progress::writtenBytes, progress::diskTotal),
                env.reporting().ownerUid(), port)) {
            LOG.info(() -> "importing " + env.sourceUrl() + " to " + target.destination()
                    + (metrics == null ? "" : ", metrics on port " + metrics.port()));
            ImportResult result = Importer.run(env.sourceUrl(), sourceOptions(env), target.destination(), options, progress);
            LOG.info(() -> "imported " + result);
            return result;
        }
    }

    /** The environment's source access as the importer's own options. */
    static SourceOptions sourceOptions(ImporterEnv env) {
        ImporterEnv.SourceAccess access = env.access();
        return new SourceOptions(access.certDir(), access.insecureTls(), access.extraHeaders(), access.secretDir(), env.retries(),
                Duration.ofSeconds(env.stallTimeoutSeconds()), access.s3Endpoint(), access.platform());
    }
}
