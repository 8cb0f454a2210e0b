package dev.ferry.snapshot.app;

import dev.ferry.snapshot.export.ExportServer;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.ExportServerEnv;
import dev.ferry.worker.env.InvalidEnvironmentException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The export server worker: serves the export's volumes until the Pod is deleted (SIGTERM). A
 * volume, certificate or token it cannot use ends it at once with the cause in the termination message.
 */
public final class ExportServerMain {
    private static final Logger LOG = Logger.getLogger(ExportServerMain.class.getName());

    private ExportServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> variables = System.getenv();
        ExportServer server;
        try {
            ExportServerEnv env = ExportServerEnv.fromEnv(variables);
            server = ExportServer.start(env);
            LOG.info(() -> "exporting " + env.names() + " on port " + server.port());
        } catch (InvalidEnvironmentException e) {
            System.exit(TerminationMessage.failure(InvalidEnvironmentException.REASON, false, e).report(variables));
            return;
        } catch (IOException | RuntimeException e) {
            System.exit(TerminationMessage.failure("ExportFailed", false, e).report(variables));
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
