package dev.ferry.vmruntime.launcher;

import dev.ferry.vmruntime.Launcher;
import dev.ferry.worker.launcher.MigrationReport;
import dev.ferry.worker.launcher.MigrationRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One live migration from this launcher: libvirt moves the guest while a watchdog on
 * {@code scheduler} aborts it when KubeVirt's limits pass ({@link MigrationWatchdog}, on
 * {@code clock}); the outcome is a {@link MigrationReport}.
 */
final class MigrationJob {
    private static final Logger LOG = Logger.getLogger(MigrationJob.class.getName());
    private static final long WATCH_MILLIS = 500;

    private final Launcher launcher;
    private final MigrationRequest request;
    private final Path console;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile String aborted;

    MigrationJob(Launcher launcher, MigrationRequest request, Path console, Clock clock, ScheduledExecutorService scheduler) {
        this.launcher = launcher;
        this.request = request;
        this.console = console;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Runs the migration to its end; {@code started} is the report published while it runs. */
    MigrationReport run(MigrationReport started) {
        MigrationWatchdog watchdog = new MigrationWatchdog(clock.instant(), Duration.ofSeconds(request.completionTimeoutSeconds()),
                Duration.ofSeconds(request.progressTimeoutSeconds()));
        ScheduledFuture<?> watch = scheduler.scheduleWithFixedDelay(() -> {
            String why = watchdog.check(clock.instant(), launcher.migrationRemaining());
            if (why != null) {
                abort(why);
            }
        }, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        try {
            Launcher.MigrationStats stats = launcher.migrate(request.targetUri(), request.migrationUri(),
                    xml -> retarget(xml, console, request.consoleTo()), request.unsafe(), request.maxDowntimeMillis(),
                    request.bandwidthMiBps());
            LOG.info(() -> "migrated: job " + stats.totalMillis() + " ms, downtime " + stats.downtimeMillis()
                    + " ms, libvirt call " + stats.callMillis() + " ms");
            return started.succeeded(clock.instant().toString(), stats.downtimeMillis(), stats.totalMillis(), stats.callMillis(),
                    stats.dataBytes());
        } catch (Launcher.LauncherException e) {
            String why = aborted != null ? aborted : e.getMessage();
            LOG.warning(() -> "migration failed: " + why);
            return started.failed(clock.instant().toString(), why);
        } finally {
            watch.cancel(false);
        }
    }

    /** Cancels the running migration; the guest stays here. */
    void abort(String why) {
        aborted = why;
        launcher.abortMigration();
    }

    /**
     * The domain XML for the target: this launcher's own files (console log, cloud-init seeds)
     * live beside its console log, so that directory becomes the target's.
     */
    static String retarget(String xml, Path console, String consoleTo) {
        if (console == null || consoleTo == null) {
            return xml;
        }
        String from = console.toAbsolutePath().toString();
        String fromDir = Path.of(from).getParent() + "/";
        String toDir = Path.of(consoleTo).getParent() + "/";
        String mapped = xml.replace(from, consoleTo);
        return fromDir.equals(toDir) ? mapped : mapped.replace(fromDir, toDir);
    }
}
