package dev.ferry.uploader.app;

import dev.ferry.disk.convert.ImportResult;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.worker.ProgressMetrics;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.WorkerEnvironment;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The upload server worker: one per volume, configured like every worker ({@link WorkerEnvironment})
 * plus {@code FERRY_UPLOAD_PORT} (8443), {@code FERRY_TLS_CERT} / {@code FERRY_TLS_KEY} (plain
 * HTTP when unset), {@code FERRY_UPLOAD_TARGET} ({@code namespace/pvc}) and
 * {@code FERRY_RESUME_TIMEOUT_SECONDS}. It serves until an upload succeeds — a failed upload may
 * be retried —, then writes the termination message and exits 0.
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
        WorkerEnvironment env = new WorkerEnvironment(variables);
        try {
            serve(env);
            return 0;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "upload server failed: " + e.getMessage(), e instanceof RuntimeException ? e : null);
            report(env, TerminationMessage.failure(e));
            return 1;
        }
    }

    /** Serves until an upload succeeds; reports it while the last response may still be on its way. */
    private static void serve(WorkerEnvironment env) throws IOException {
        UploadServerConfig config = new UploadServerConfig(env.get("FERRY_UPLOAD_HOST", "0.0.0.0"),
                Integer.parseInt(env.get("FERRY_UPLOAD_PORT", "8443")), env.destination(), env.importOptions(),
                env.get("FERRY_UPLOAD_TARGET", null), tls(env), Duration.ofSeconds(Long.parseLong(env.get(
                        "FERRY_RESUME_TIMEOUT_SECONDS", String.valueOf(UploadServerConfig.DEFAULT_RESUME_TIMEOUT.toSeconds())))));
        int metricsPort = env.metricsPort(8080);
        try (UploadServer server = UploadServer.start(config);
             ProgressMetrics metrics = metricsPort >= 0
                     ? new ProgressMetrics("upload", server.progress(), env.ownerUid(), metricsPort) : null) {
            LOG.info(() -> "upload server for " + config.destination() + " listening on port " + server.port()
                    + (config.tls() == null ? " (plain HTTP)" : " (TLS)")
                    + (metrics == null ? "" : ", metrics on port " + metrics.port()));
            ImportResult result = server.succeeded().get();
            report(env, TerminationMessage.success(result, "Upload complete"));
            Thread.sleep(LINGER.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for an upload", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void report(WorkerEnvironment env, TerminationMessage outcome) {
        try {
            outcome.write(env.terminationLog());
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "could not write the termination message: " + e.getMessage());
        }
    }

    private static SslContext tls(WorkerEnvironment env) throws IOException {
        Path cert = env.path("FERRY_TLS_CERT");
        Path key = env.path("FERRY_TLS_KEY");
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IOException("set both FERRY_TLS_CERT and FERRY_TLS_KEY, or neither for plain HTTP");
        }
        return TlsFiles.server(cert, key);
    }
}
