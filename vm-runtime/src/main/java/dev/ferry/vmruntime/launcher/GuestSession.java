package dev.ferry.vmruntime.launcher;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.vmruntime.Accelerator;
import dev.ferry.vmruntime.DomainSpec;
import dev.ferry.vmruntime.Launcher;
import dev.ferry.vmruntime.LibvirtDaemon;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.launcher.LauncherState;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.MigrationReport;
import dev.ferry.worker.launcher.MigrationRequest;
import dev.ferry.worker.launcher.ThawResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.libvirt.DomainInfo;

/**
 * One VMI's guest from start to end: its disks, its own libvirtd (unless given one), the domain
 * (started, or received by migration), then it follows the domain until the guest powers off or
 * {@code stop} opens (SIGTERM: ACPI shutdown within the grace period, then destroy). The control
 * server acts on it meanwhile: pause, unpause, migrate, freeze and thaw its filesystems through its
 * guest agent ({@link GuestAgent}).
 */
public final class GuestSession {
    private static final Logger LOG = Logger.getLogger(GuestSession.class.getName());
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final long LOOP_MILLIS = 200;

    /** A request the guest's state does not allow now (answered 409). */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final LauncherEnv env;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final LauncherStateMachine states = new LauncherStateMachine();
    private volatile String accelerator;
    private volatile String domain;
    private volatile String libvirtUri;
    private volatile Integer migrationPort;
    private volatile Launcher launcher;
    private volatile MigrationReport migration;
    private volatile MigrationJob job;
    private final GuestAgent agent;

    public GuestSession(LauncherEnv env, Clock clock, ScheduledExecutorService scheduler) {
        this.env = env;
        this.clock = clock;
        this.scheduler = scheduler;
        this.agent = new GuestAgent(clock, scheduler);
    }

    /** Runs the guest to its end; what to report. */
    public TerminationMessage run(CountDownLatch stop) {
        try {
            VirtualMachineInstance vmi = vmi(env);
            Path scratch = Files.createDirectories(env.consoleLog().toAbsolutePath().getParent());
            String chosen = Accelerator.choose(env.accelerator(), Files.createTempDirectory("ferry-launcher"), Duration.ofSeconds(8),
                    env.acceleratorCache());
            accelerator = "kvm".equals(chosen) ? "kvm" : "tcg";
            Map<String, Path> volumes = new HashMap<>(env.volumes());
            volumes.putAll(EphemeralDisks.prepare(vmi, scratch, env.insecureRegistries()));
            DomainSpec spec = DomainSpec.from(vmi, volumes, env.consoleLog(), chosen);
            long grace = vmi.getSpec().terminationGracePeriodSeconds == null ? 30 : vmi.getSpec().terminationGracePeriodSeconds;
            try (LibvirtDaemon daemon = env.libvirtUri() != null ? null : LibvirtDaemon.start(env.libvirtRunDir(), Duration.ofSeconds(20));
                    Launcher running = new Launcher(daemon == null ? env.libvirtUri() : daemon.uri())) {
                libvirtUri = daemon == null ? env.libvirtUri() : daemon.uri();
                domain = spec.name();
                return follow(running, spec, Duration.ofSeconds(grace), stop);
            } finally {
                launcher = null;
                states.stopped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TerminationMessage.failure("Interrupted", true, "interrupted");
        } catch (IOException | IllegalArgumentException | Launcher.LauncherException e) {
            LOG.severe(() -> "launcher failed: " + e.getMessage());
            return TerminationMessage.failure("LauncherError", true, e);
        }
    }

    private TerminationMessage follow(Launcher running, DomainSpec spec, Duration grace, CountDownLatch stop)
            throws Launcher.LauncherException, InterruptedException, IOException {
        if (env.migrationTarget()) {
            migrationPort = freePort();
            states.waitingForMigration();
            running.adopt(spec.name(), stop);
        } else {
            running.start(spec);
        }
        launcher = running;
        // whether the guest agent answers, every 2 s (a ping waits at most 1 s)
        var pinger = scheduler.scheduleWithFixedDelay(() -> {
            if (states.state() != LauncherState.MIGRATING) {
                agent.ping(running);
            }
        }, 1, 2, TimeUnit.SECONDS);
        try {
            // while migrating, the domain leaves this daemon before the job returns: wait for the outcome
            while ((running.running() || states.state() == LauncherState.MIGRATING) && stop.getCount() > 0) {
                states.observe(running.state() == DomainInfo.DomainState.VIR_DOMAIN_PAUSED);
                stop.await(LOOP_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            pinger.cancel(false);
        }
        if (states.state() == LauncherState.MIGRATED) {
            stop.await();
            return TerminationMessage.ended("Migrated", "the guest moved to another launcher by live migration");
        }
        if (stop.getCount() == 0 && env.migrationTarget() && !running.running()) {
            return TerminationMessage.ended("MigrationCancelled", "stopped before a migration brought the guest here");
        }
        if (running.running()) {
            states.stopping();
            thawBeforeShutdown(running);
            boolean graceful = running.stop(grace);
            return TerminationMessage.ended(graceful ? "Shutdown" : "Destroyed", graceful ? "the guest shut down on request"
                    : "the guest did not shut down within " + grace.toSeconds() + " s; destroyed");
        }
        return TerminationMessage.ended("GuestPoweredOff", "the guest powered off (" + accelerator + ")");
    }

    /** A frozen guest cannot shut down cleanly (its sync waits for the thaw): thaw it first. */
    private void thawBeforeShutdown(Launcher running) {
        if (agent.freezeStatus() != null) {
            try {
                agent.thaw(running);
            } catch (Launcher.LauncherException e) {
                LOG.warning(() -> "could not thaw the guest before shutting it down: " + e.getMessage());
            }
        }
    }

    public LauncherStatus status() {
        return new LauncherStatus(states.state(), accelerator, domain, libvirtUri, migrationPort,
                env.consoleLog().toAbsolutePath().toString(), migration, agent.connected(), agent.freezeStatus(), agent.lastFreezeMillis());
    }

    public Path console() {
        return env.consoleLog();
    }

    /** Pauses or unpauses the guest; the state after. */
    LauncherState suspend(boolean pause) throws Refused, Launcher.LauncherException {
        Launcher running = launcher;
        if (running == null || !states.state().hasGuest()) {
            throw new Refused("the guest is " + states.state().label());
        }
        if (pause) {
            running.pause();
        } else {
            running.resume();
        }
        states.paused(pause);
        return states.state();
    }

    /**
     * Freezes the guest's filesystems through its agent, thawed by {@link #unfreeze} or after
     * {@code unfreezeTimeout}; refused during a migration (KubeVirt's rule) and without an agent.
     */
    int freeze(Duration unfreezeTimeout) throws Refused, Launcher.LauncherException {
        Launcher running = launcher;
        if (running == null || !states.state().hasGuest()) {
            throw new Refused("the guest is " + states.state().label());
        }
        if (states.state() == LauncherState.MIGRATING) {
            throw new Refused("the guest is migrating: its filesystems cannot be frozen now");
        }
        if (!agent.ping(running)) {
            throw new Refused("the guest agent does not answer");
        }
        return agent.freeze(running, unfreezeTimeout);
    }

    /** Thaws the guest's filesystems; whether they were frozen, and for how long. */
    ThawResult unfreeze() throws Launcher.LauncherException {
        Launcher running = launcher;
        if (running == null) {
            return ThawResult.NOT_FROZEN;
        }
        Long held = agent.thaw(running);
        return held == null ? ThawResult.NOT_FROZEN : new ThawResult(true, held);
    }

    /** Starts sending the guest away on its own thread; the outcome shows in {@link #status()}. */
    void migrate(MigrationRequest request) throws Refused {
        Launcher running = launcher;
        if (running == null || !states.startMigration()) {
            throw new Refused("the guest is " + states.state().label());
        }
        MigrationReport started = MigrationReport.running(clock.instant().toString());
        migration = started;
        MigrationJob next = new MigrationJob(running, request, env.consoleLog(), clock, scheduler);
        job = next;
        Thread thread = new Thread(() -> {
            MigrationReport outcome = next.run(started);
            migration = outcome;
            states.migrationEnded(outcome.phase() == MigrationReport.Phase.Succeeded);
        }, "ferry-migration");
        thread.setDaemon(true);
        thread.start();
    }

    void abortMigration(String why) {
        MigrationJob running = job;
        if (running != null && states.state() == LauncherState.MIGRATING) {
            running.abort(why);
        }
    }

    /** The VMI from the environment: inline JSON, or a file of YAML or JSON. */
    static VirtualMachineInstance vmi(LauncherEnv env) throws IOException {
        String text = env.vmiJson() != null ? env.vmiJson() : Files.readString(env.vmiFile());
        return YAML.readValue(text, VirtualMachineInstance.class);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
