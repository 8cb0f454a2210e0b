package dev.ferry.vmruntime.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.vmruntime.Launcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The guest agent (qemu-ga on the {@code org.qemu.guest_agent.0} channel), through libvirt:
 * whether it answers, and freezing and thawing the guest's filesystems — a freeze always with a
 * safety thaw after its unfreeze timeout, as KubeVirt's launcher arms one, so a snapshot that
 * fails half way never leaves the guest frozen.
 */
final class GuestAgent {
    private static final Logger LOG = Logger.getLogger(GuestAgent.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PING_TIMEOUT_SECONDS = 1;
    /** Freezing syncs every filesystem first: allow it time on a busy guest. */
    private static final int FREEZE_TIMEOUT_SECONDS = 30;

    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile boolean connected;
    private volatile Instant frozenSince;
    private volatile Long lastFreezeMillis;
    private ScheduledFuture<?> safetyThaw;

    GuestAgent(Clock clock, ScheduledExecutorService scheduler) {
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Asks the agent whether it is there (guest-ping); remembers the answer. */
    boolean ping(Launcher launcher) {
        try {
            launcher.agentCommand("{\"execute\":\"guest-ping\"}", PING_TIMEOUT_SECONDS);
            connected = true;
        } catch (Launcher.LauncherException e) {
            connected = false;
        }
        return connected;
    }

    boolean connected() {
        return connected;
    }

    /** {@code frozen} while the guest's filesystems are frozen, else null. */
    String freezeStatus() {
        return frozenSince == null ? null : dev.ferry.worker.launcher.LauncherStatus.FROZEN;
    }

    Long lastFreezeMillis() {
        return lastFreezeMillis;
    }

    /** Freezes the guest's filesystems (a second freeze while frozen is a no-op); the number frozen. */
    synchronized int freeze(Launcher launcher, Duration unfreezeTimeout) throws Launcher.LauncherException {
        if (frozenSince != null) {
            return 0;
        }
        Instant asked = clock.instant();
        JsonNode answer = parse(launcher.agentCommand("{\"execute\":\"guest-fsfreeze-freeze\"}", FREEZE_TIMEOUT_SECONDS));
        frozenSince = clock.instant();
        long command = Duration.between(asked, frozenSince).toMillis();
        if (!unfreezeTimeout.isZero()) {
            safetyThaw = scheduler.schedule(() -> {
                LOG.warning(() -> "the guest stayed frozen for its unfreeze timeout (" + unfreezeTimeout + "): thawing it");
                try {
                    thaw(launcher);
                } catch (Launcher.LauncherException e) {
                    LOG.severe(() -> "the safety thaw failed: " + e.getMessage());
                }
            }, unfreezeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        int frozen = answer.path("return").asInt(0);
        LOG.info(() -> "froze " + frozen + " guest filesystem(s) (the freeze command took " + command + " ms)");
        return frozen;
    }

    /** Thaws the guest's filesystems (nothing to do when they are not frozen); how long they were, or null. */
    synchronized Long thaw(Launcher launcher) throws Launcher.LauncherException {
        if (safetyThaw != null) {
            safetyThaw.cancel(false);
            safetyThaw = null;
        }
        if (frozenSince == null) {
            return null;
        }
        Instant asked = clock.instant();
        launcher.agentCommand("{\"execute\":\"guest-fsfreeze-thaw\"}", FREEZE_TIMEOUT_SECONDS);
        Instant answered = clock.instant();
        long held = Duration.between(frozenSince, answered).toMillis();
        long command = Duration.between(asked, answered).toMillis();
        frozenSince = null;
        lastFreezeMillis = held;
        LOG.info(() -> "thawed the guest's filesystems after " + held + " ms frozen (the thaw command took " + command + " ms)");
        return held;
    }

    private static JsonNode parse(String answer) throws Launcher.LauncherException {
        try {
            return JSON.readTree(answer == null ? "{}" : answer);
        } catch (java.io.IOException e) {
            throw new Launcher.LauncherException("the guest agent's answer is not JSON: " + answer, e);
        }
    }
}
