package dev.ferry.controllers.snapshot;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

/**
 * A VM volume as a snapshot sees it: what backs it, its claim (and DataVolume) as the cluster has
 * them, and the VolumeSnapshotClass its claim's storage class resolves to — or why it has none.
 *
 * @param claimName the claim behind a claim or DataVolume volume; null for others
 * @param claim that claim, or null when it does not exist
 * @param dataVolume the DataVolume of a DataVolume volume, or null
 * @param snapshotClass the class its VolumeSnapshot is taken with, or null
 * @param notSnapshottable why it cannot be snapshotted (KubeVirt's volumeSnapshotStatuses reason), or null
 */
public record VmVolume(String name, Kind kind, String claimName, PersistentVolumeClaim claim, DataVolume dataVolume,
        String snapshotClass, String notSnapshottable) {

    /** What backs the volume. */
    public enum Kind { CLAIM, DATA_VOLUME, OTHER }

    public static Kind kind(VmiSpec.Volume volume) {
        if (volume.persistentVolumeClaim != null) {
            return Kind.CLAIM;
        }
        return volume.dataVolume != null ? Kind.DATA_VOLUME : Kind.OTHER;
    }

    public static String claimName(VmiSpec.Volume volume) {
        return switch (kind(volume)) {
            case CLAIM -> volume.persistentVolumeClaim.claimName;
            case DATA_VOLUME -> volume.dataVolume.name;
            case OTHER -> null;
        };
    }

    /** Whether a claim backs it (a PVC or DataVolume volume). */
    public boolean claimBacked() {
        return kind != Kind.OTHER;
    }

    /** Whether it gets a VolumeSnapshot: a bound claim with a storage class that resolves to a snapshot class. */
    public boolean snapshottable() {
        return claimBacked() && snapshotClass != null;
    }
}
