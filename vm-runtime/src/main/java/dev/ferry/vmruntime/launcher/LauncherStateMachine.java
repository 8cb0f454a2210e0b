package dev.ferry.vmruntime.launcher;

import dev.ferry.worker.launcher.LauncherState;

/**
 * The launcher's state and the only ways it changes. The guest loop reports what libvirt says
 * ({@link #observe}); a migration holds the state until it ends; stopping is final.
 */
public final class LauncherStateMachine {
    private LauncherState state = LauncherState.STARTING;

    public synchronized LauncherState state() {
        return state;
    }

    /** A migration target, ready to receive the guest. */
    public synchronized void waitingForMigration() {
        move(LauncherState.STARTING, LauncherState.WAITING_FOR_MIGRATION);
    }

    /** The domain runs (paused or not): say so, unless a migration or a stop owns the state. */
    public synchronized void observe(boolean paused) {
        if (state == LauncherState.STARTING || state == LauncherState.WAITING_FOR_MIGRATION || state.hasGuest()) {
            state = paused ? LauncherState.PAUSED : LauncherState.RUNNING;
        }
    }

    /** A pause or unpause that libvirt carried out. */
    public synchronized void paused(boolean paused) {
        if (state.hasGuest()) {
            state = paused ? LauncherState.PAUSED : LauncherState.RUNNING;
        }
    }

    /** Whether a migration may start now; if so the state is Migrating until {@link #migrationEnded}. */
    public synchronized boolean startMigration() {
        if (!state.hasGuest()) {
            return false;
        }
        state = LauncherState.MIGRATING;
        return true;
    }

    /** The guest left ({@code moved}), or stays here running (the loop refines Running/Paused). */
    public synchronized void migrationEnded(boolean moved) {
        move(LauncherState.MIGRATING, moved ? LauncherState.MIGRATED : LauncherState.RUNNING);
    }

    public synchronized void stopping() {
        if (state != LauncherState.STOPPED) {
            state = LauncherState.STOPPING;
        }
    }

    public synchronized void stopped() {
        state = LauncherState.STOPPED;
    }

    private void move(LauncherState from, LauncherState to) {
        if (state == from) {
            state = to;
        }
    }
}
