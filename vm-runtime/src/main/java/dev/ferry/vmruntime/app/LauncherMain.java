package dev.ferry.vmruntime.app;

import dev.ferry.vmruntime.launcher.ControlServer;
import dev.ferry.vmruntime.launcher.GuestSession;
import dev.ferry.worker.MetricsEndpoint;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.InvalidEnvironmentException;
import dev.ferry.worker.env.LauncherEnv;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The launcher worker (one per VMI), configured by its environment ({@link LauncherEnv}): runs the
 * guest ({@link GuestSession}) with its control endpoint on the metrics port ({@link ControlServer})
 * until the guest powers off (exit 0) or SIGTERM stops it gracefully; the result goes to the
 * termination message.
 */
public final class LauncherMain {

    private LauncherMain() {
    }

    public static void main(String[] args) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        int[] exit = {1};
        // SIGTERM: let the guest shut down before the JVM goes, and exit with the launcher's code
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(exit[0]);
        }, "ferry-launcher-sigterm"));
        exit[0] = run(System.getenv(), stop);
        done.countDown();
        System.exit(exit[0]);
    }

    /** Runs until the guest stops by itself or {@code stop} opens. */
    public static int run(Map<String, String> variables, CountDownLatch stop) {
        TerminationMessage outcome;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            LauncherEnv env = LauncherEnv.fromEnv(variables);
            GuestSession session = new GuestSession(env, Clock.systemUTC(), scheduler);
            int port = env.reporting().metricsPort();
            try (MetricsEndpoint control = port < 0 ? null : new MetricsEndpoint(port)) {
                if (control != null) {
                    ControlServer.serve(control, session);
                }
                outcome = session.run(stop);
            }
        } catch (InvalidEnvironmentException e) {
            outcome = TerminationMessage.failure(InvalidEnvironmentException.REASON, false, e);
        } catch (IOException e) {
            outcome = TerminationMessage.failure("LauncherError", true, "cannot serve the control endpoint: " + e.getMessage());
        } finally {
            scheduler.shutdownNow();
        }
        return outcome.report(variables);
    }
}
