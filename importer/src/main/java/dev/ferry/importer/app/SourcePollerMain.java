package dev.ferry.importer.app;

import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.importer.source.registry.RegistrySources;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.ImporterEnv;
import dev.ferry.worker.env.InvalidEnvironmentException;
import dev.ferry.worker.env.SourcePollerEnv;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The source poller (a DataImportCron's poll): looks up the digest a registry reference points at
 * now, with the importer's registry client and the same credentials, CAs and insecure-registry
 * rules, and reports it in the termination message. It has no API access: the controller reads
 * the digest from the Pod's status.
 */
public final class SourcePollerMain {

    private SourcePollerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> variables) {
        TerminationMessage outcome;
        try {
            SourcePollerEnv env = SourcePollerEnv.fromEnv(variables);
            ImporterEnv.SourceAccess access = env.access();
            String digest = RegistrySources.currentDigest(env.sourceUrl(), new SourceOptions(access.certDir(), access.insecureTls(),
                    access.extraHeaders(), access.secretDir(), 0, Duration.ofSeconds(60), null, access.platform()));
            outcome = TerminationMessage.digest(digest, env.sourceUrl() + " is " + digest);
        } catch (DiskException e) {
            outcome = TerminationMessage.failure(e.reason().label(), e.reason().retryable(), e);
        } catch (InvalidEnvironmentException e) {
            outcome = TerminationMessage.failure(InvalidEnvironmentException.REASON, false, e);
        } catch (IOException e) {
            // connection refused, TLS failure, 5xx: the registry may come back
            outcome = TerminationMessage.failure(DiskException.Reason.SOURCE_UNAVAILABLE.label(), true,
                    "cannot reach the registry: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (RuntimeException e) {
            outcome = TerminationMessage.unexpected(e);
        }
        return outcome.report(variables);
    }
}
