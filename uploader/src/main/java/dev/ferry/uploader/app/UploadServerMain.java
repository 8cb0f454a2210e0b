package dev.ferry.uploader.app;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.worker.ProgressMetrics;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.InvalidEnvironmentException;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.env.UploadServerEnv;
import dev.ferry.disk.progress.TransferProgress;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The upload server worker: one per volume, configured by its environment ({@link UploadServerEnv}).
 * It serves until an upload succeeds — a failed upload may be retried —, then writes the
 * termination message and exits 0.
 */
public final class UploadServerMain {
    private static final Logger LOG = Logger.getLogger(UploadServerMain.class.getName());
    /** Time for the last response to reach the client before the process exits. */
    private static final Duration LINGER = Duration.ofSeconds(1);

    private UploadServerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> variables) {
        try {
            serve(UploadServerEnv.fromEnv(variables), Reporting.terminationLog(variables));
            return 0;
        } catch (DiskException e) {
            LOG.severe(() -> "upload server failed: " + e.getMessage());
            report(variables, TerminationMessage.failure(e.reason().label(), e.reason().retryable(), e));
        } catch (InvalidEnvironmentException e) {
            LOG.severe(() -> "upload server failed: " + e.getMessage());
            report(variables, TerminationMessage.failure(InvalidEnvironmentException.REASON, false, e));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "upload server failed: " + e.getMessage(), e instanceof RuntimeException ? e : null);
            report(variables, TerminationMessage.unexpected(e));
        }
        return 1;
    }

    /** Serves until an upload succeeds; reports it while the last response may still be on its way. */
    private static void serve(UploadServerEnv env, java.nio.file.Path terminationLog) throws IOException {
        DiskTarget target = env.target();
        UploadServerConfig config = new UploadServerConfig(env.host(), env.port(), target.destination(),
                ImportOptions.parse(target.archive(), target.imageSize(), target.checksum(), target.preallocation()),
                env.uploadTarget(), env.tlsCert() == null ? null : TlsFiles.server(env.tlsCert(), env.tlsKey()),
                Duration.ofSeconds(env.resumeTimeoutSeconds()), null);
        if (env.cloneTarget() != null) {
            config = config.forClone(TlsFiles.mutualServer(env.tlsCert(), env.tlsKey(), env.cloneTarget().clientCa()),
                    env.cloneTarget().clientName());
        }
        int metricsPort = env.reporting().metricsPort();
        try (UploadServer server = UploadServer.start(config);
             ProgressMetrics metrics = metricsPort < 0 ? null : new ProgressMetrics(ProgressMetrics.Kind.UPLOAD,
                     source(server.progress()), env.reporting().ownerUid(), metricsPort)) {
            UploadServerConfig listening = config;
            LOG.info(() -> "upload server for " + listening.destination() + " listening on port " + server.port()
                    + (listening.cloneClient() != null ? " (clone target, mutual TLS)" : listening.tls() == null ? " (plain HTTP)" : " (TLS)")
                    + (metrics == null ? "" : ", metrics on port " + metrics.port()));
            ImportResult result = server.succeeded().get();
            TerminationMessage.disk(result.format().label(), result.compression() == null ? null : result.compression().label(),
                    result.virtualSize(), result.diskSize(), result.sourceBytes(), "Upload complete").write(terminationLog);
            Thread.sleep(LINGER.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for an upload", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static ProgressMetrics.Source source(TransferProgress progress) {
        return new ProgressMetrics.Source(progress::percent, progress::sourceBytes, progress::writtenBytes, progress::diskTotal);
    }

    private static void report(Map<String, String> variables, TerminationMessage outcome) {
        outcome.report(variables);
    }
}
