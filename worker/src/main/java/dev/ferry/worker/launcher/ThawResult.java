package dev.ferry.worker.launcher;

/**
 * The answer to an unfreeze ({@link LauncherApi#UNFREEZE}): whether the guest's filesystems were
 * frozen, and then for how long (from the freeze's answer to the thaw's), so the caller learns it
 * without another request while the guest waits.
 */
public record ThawResult(boolean wasFrozen, Long frozenMillis) {
    public static final ThawResult NOT_FROZEN = new ThawResult(false, null);
}
