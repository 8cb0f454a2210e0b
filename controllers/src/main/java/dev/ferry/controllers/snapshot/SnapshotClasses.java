package dev.ferry.controllers.snapshot;

import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.List;

/**
 * The VolumeSnapshotClass a claim's VolumeSnapshot is taken with, as KubeVirt chooses it
 * ({@code getVolumeSnapshotClassName}): the class the storage class's StorageProfile names, else
 * the one class of the storage class's driver, else of several the one marked default. No class:
 * the volume is not snapshotted (a partial snapshot), never an error.
 */
public final class SnapshotClasses {
    private SnapshotClasses() {
    }

    /** The class chosen, or why there is none. */
    public record Choice(String name, String reason) {
        static Choice of(String name) {
            return new Choice(name, null);
        }

        static Choice none(String reason) {
            return new Choice(null, reason);
        }
    }

    /**
     * @param storageClassName the claim's storage class name (null: it has none)
     * @param storageClass that class, or null when it does not exist
     * @param profile its StorageProfile, or null
     */
    public static Choice choose(String volume, String storageClassName, StorageClass storageClass, StorageProfile profile,
            List<VolumeSnapshotClass> classes) {
        if (storageClassName == null || storageClassName.isEmpty()) {
            return Choice.none("No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [] [" + volume + "]");
        }
        if (storageClass == null) {
            return Choice.none("StorageClass " + storageClassName + " of volume " + volume + " does not exist");
        }
        String named = profile == null || profile.getStatus() == null ? null : profile.getStatus().snapshotClass;
        if (named != null && classes.stream().anyMatch(c -> named.equals(c.getMetadata().getName()))) {
            return Choice.of(named);
        }
        List<VolumeSnapshotClass> ofDriver = classes.stream().filter(c -> storageClass.getProvisioner().equals(c.driver)).toList();
        if (ofDriver.isEmpty()) {
            return Choice.none("No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass ["
                    + storageClassName + "] [" + volume + "]");
        }
        if (ofDriver.size() == 1) {
            return Choice.of(ofDriver.get(0).getMetadata().getName());
        }
        List<VolumeSnapshotClass> defaults = ofDriver.stream().filter(c -> c.getMetadata().getAnnotations() != null
                && c.getMetadata().getAnnotations().containsKey(VolumeSnapshotClass.DEFAULT_ANNOTATION)).toList();
        if (defaults.size() == 1) {
            return Choice.of(defaults.get(0).getMetadata().getName());
        }
        return Choice.none(ofDriver.size() + " matching VolumeSnapshotClasses for " + storageClassName);
    }
}
