package dev.ferry.vmruntime.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.launcher.LauncherState;
import org.junit.jupiter.api.Test;

/** The launcher's states change only the ways a guest can: no server, no libvirt. */
class LauncherStateMachineTest {
    private final LauncherStateMachine states = new LauncherStateMachine();

    @Test
    void aStartedGuestRunsPausesAndStops() {
        assertThat(states.state()).isEqualTo(LauncherState.STARTING);
        assertThat(states.startMigration()).as("no guest yet").isFalse();
        states.observe(false);
        assertThat(states.state()).isEqualTo(LauncherState.RUNNING);
        states.paused(true);
        assertThat(states.state()).isEqualTo(LauncherState.PAUSED);
        states.observe(false);
        assertThat(states.state()).isEqualTo(LauncherState.RUNNING);
        states.stopping();
        states.observe(false);
        assertThat(states.state()).as("a stop is final").isEqualTo(LauncherState.STOPPING);
        states.stopped();
        states.paused(false);
        assertThat(states.state()).isEqualTo(LauncherState.STOPPED);
    }

    @Test
    void aMigrationHoldsTheStateUntilItEnds() {
        states.observe(true);
        assertThat(states.startMigration()).isTrue();
        assertThat(states.startMigration()).as("one at a time").isFalse();
        states.observe(false);
        states.paused(false);
        assertThat(states.state()).isEqualTo(LauncherState.MIGRATING);
        states.migrationEnded(false);
        assertThat(states.state()).as("a failed migration leaves the guest here").isEqualTo(LauncherState.RUNNING);
        assertThat(states.startMigration()).isTrue();
        states.migrationEnded(true);
        states.observe(false);
        assertThat(states.state()).as("the guest left; libvirt's view no longer counts").isEqualTo(LauncherState.MIGRATED);
    }

    @Test
    void aTargetWaitsThenRunsTheGuestItReceived() {
        states.waitingForMigration();
        assertThat(states.state()).isEqualTo(LauncherState.WAITING_FOR_MIGRATION);
        assertThat(states.startMigration()).isFalse();
        states.observe(false);
        assertThat(states.state()).isEqualTo(LauncherState.RUNNING);
    }
}
