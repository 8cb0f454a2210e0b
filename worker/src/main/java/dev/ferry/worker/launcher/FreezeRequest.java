package dev.ferry.worker.launcher;

/**
 * A freeze of the guest's filesystems ({@link LauncherApi#FREEZE}): thawed by an unfreeze, or by
 * the launcher itself after {@code unfreezeTimeoutSeconds} (0: never), so a snapshot that fails
 * half way never leaves a guest frozen.
 */
public record FreezeRequest(long unfreezeTimeoutSeconds) {
}
