package dev.ferry.cloner.app;

import dev.ferry.cloner.source.CloneSource;
import dev.ferry.uploader.client.UploadClient;
import dev.ferry.uploader.client.UploadException;
import dev.ferry.worker.ProgressMetrics;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.CloneSourceEnv;
import dev.ferry.worker.env.InvalidEnvironmentException;
import dev.ferry.worker.tls.PemTls;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The clone source worker (host-assisted clone): streams the source volume's data extents to the
 * target's upload server over mutual TLS, resuming after dropped connections; progress as CDI's
 * {@code kubevirt_cdi_clone_progress_total}; the result in the termination message.
 */
public final class CloneSourceMain {
    private static final Logger LOG = Logger.getLogger(CloneSourceMain.class.getName());

    private CloneSourceMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> variables) {
        TerminationMessage outcome;
        try {
            outcome = send(CloneSourceEnv.fromEnv(variables));
        } catch (InvalidEnvironmentException e) {
            outcome = TerminationMessage.failure(InvalidEnvironmentException.REASON, false, e);
        } catch (UploadException e) {
            // the target refused (a 4xx: wrong client, too small, bad stream): retrying the same clone will not help
            outcome = TerminationMessage.failure("CloneRefused", e.status() >= 500, e);
        } catch (IOException | RuntimeException e) {
            outcome = TerminationMessage.unexpected(e);
        }
        return outcome.report(variables);
    }

    private static TerminationMessage send(CloneSourceEnv env) throws IOException {
        AtomicLong sent = new AtomicLong();
        try (CloneSource source = CloneSource.open(env.source(), env.block());
             ProgressMetrics metrics = env.reporting().metricsPort() < 0 ? null : new ProgressMetrics(ProgressMetrics.Kind.CLONE,
                     new ProgressMetrics.Source(() -> 100.0 * sent.get() / Math.max(1, source.length()), sent::get, sent::get,
                             source::size), env.reporting().ownerUid(), env.reporting().metricsPort())) {
            LOG.info(() -> "cloning " + env.source() + " (" + source.size() + " bytes, " + source.dataBytes() + " of data) to "
                    + env.uploadUrl());
            UploadClient client = new UploadClient(URI.create(env.uploadUrl()), () -> null, null,
                    PemTls.context(env.clientCert(), env.clientKey(), env.serverCa()), false, env.retries(), Duration.ofSeconds(30));
            client.upload(source, sent::set);
            return TerminationMessage.disk("raw", null, source.size(), source.size(), source.dataBytes(),
                    "Clone complete: " + source.dataBytes() + " data bytes of " + source.size());
        }
    }
}
