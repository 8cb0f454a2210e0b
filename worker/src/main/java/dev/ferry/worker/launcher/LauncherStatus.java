package dev.ferry.worker.launcher;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a launcher answers on {@code GET /status}: its state, the accelerator (kvm or tcg), the
 * domain, its libvirt URI, the port a migration target takes memory on, its console log, the
 * last migration it ran as a source, whether the guest agent answers, the guest filesystems'
 * freeze state ({@code frozen}, or null) and how long the last freeze held them, in milliseconds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LauncherStatus(LauncherState state, String accelerator, String domain, String libvirtUri, Integer migrationPort,
        String console, MigrationReport migration, Boolean agentConnected, String fsFreezeStatus, Long lastFreezeMillis) {
    public static final String FROZEN = "frozen";
}
