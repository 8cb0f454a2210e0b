package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How a clone moves its data, chosen as CDI's planner chooses ({@code pkg/controller/clone/planner.go}):
 * an override, else the target's StorageProfile, else {@code snapshot}; {@code snapshot} and
 * {@code csi-clone} need the same driver, the same volume mode and room to grow (or volume expansion),
 * {@code snapshot} also a snapshot class; when a need is not met the clone falls back to a
 * host-assisted {@code copy} and says why, with CDI's reason.
 */
public final class CloneStrategy {
    /** Why a clone fell back to copy: CDI's reasons. */
    public enum Fallback {
        NoVolumeSnapshotClass, IncompatibleProvisioners, IncompatibleVolumeModes, NoVolumeExpansion, NoProvisionerMatch
    }

    /**
     * What was chosen.
     *
     * @param strategy copy, snapshot or csi-clone
     * @param fallback why a faster strategy was not possible, or null
     * @param message the fallback's explanation for the event and the annotation
     * @param snapshotClass the VolumeSnapshotClass for the snapshot strategy
     */
    public record Choice(String strategy, Fallback fallback, String message, String snapshotClass) {
        static Choice of(String strategy, String snapshotClass) {
            return new Choice(strategy, null, null, snapshotClass);
        }

        static Choice copy(Fallback why, String message) {
            return new Choice(StorageProfile.COPY, why, message, null);
        }
    }

    private CloneStrategy() {
    }

    /**
     * @param override the cluster-wide override (CDI's {@code cloneStrategyOverride}), or null
     * @param targetClass the target's storage class
     * @param targetProfile its StorageProfile, or null
     * @param sourceProfile the source claim's class's StorageProfile, or null
     * @param targetMode the target's volume mode
     * @param targetSize the target's requested size in bytes
     */
    public static Choice choose(SourceVolume source, String override, StorageClass targetClass, StorageProfile targetProfile,
            StorageProfile sourceProfile, List<VolumeSnapshotClass> snapshotClasses, String targetMode, long targetSize) {
        String wanted = override != null ? override : recommended(targetProfile);
        if (source.snapshot()) {
            return fromSnapshot(source, wanted, targetClass, targetMode, targetSize);
        }
        if (StorageProfile.COPY.equals(wanted)) {
            return Choice.of(StorageProfile.COPY, null);
        }
        String snapshotClass = null;
        if (StorageProfile.SNAPSHOT.equals(wanted)) {
            snapshotClass = snapshotClass(targetClass.getProvisioner(), targetProfile, sourceProfile, snapshotClasses);
            if (snapshotClass == null) {
                return Choice.copy(Fallback.NoVolumeSnapshotClass, "no VolumeSnapshotClass for driver " + targetClass.getProvisioner()
                        + " of storage class " + targetClass.getMetadata().getName());
            }
        }
        if (!Objects.equals(source.driver(), targetClass.getProvisioner())) {
            return Choice.copy(Fallback.IncompatibleProvisioners, "the source is on driver " + source.driver() + ", the target on "
                    + targetClass.getProvisioner() + ": a " + wanted + " stays within one driver");
        }
        if (!source.volumeMode().equals(targetMode)) {
            return Choice.copy(Fallback.IncompatibleVolumeModes, "the source is a " + source.volumeMode() + " volume, the target "
                    + targetMode + ": a " + wanted + " keeps the volume mode");
        }
        if (source.size() > targetSize && !Boolean.TRUE.equals(targetClass.getAllowVolumeExpansion())) {
            return Choice.copy(Fallback.NoVolumeExpansion, "the source (" + source.size() + " bytes) is larger than the target ("
                    + targetSize + ") and storage class " + targetClass.getMetadata().getName() + " does not allow volume expansion");
        }
        return Choice.of(wanted, snapshotClass);
    }

    /** A snapshot source can only be restored (snapshot) or copied. */
    private static Choice fromSnapshot(SourceVolume source, String wanted, StorageClass targetClass, String targetMode, long targetSize) {
        if (StorageProfile.COPY.equals(wanted)) {
            return Choice.of(StorageProfile.COPY, null);
        }
        if (!Objects.equals(source.driver(), targetClass.getProvisioner())) {
            return Choice.copy(Fallback.NoProvisionerMatch, "the snapshot's driver " + source.driver() + " is not the target's "
                    + targetClass.getProvisioner());
        }
        if (source.size() > targetSize && !Boolean.TRUE.equals(targetClass.getAllowVolumeExpansion())) {
            return Choice.copy(Fallback.NoVolumeExpansion, "the snapshot restores " + source.size() + " bytes, more than the target's "
                    + targetSize + ", and storage class " + targetClass.getMetadata().getName() + " does not allow volume expansion");
        }
        if (!source.volumeMode().equals(targetMode)) {
            return Choice.copy(Fallback.IncompatibleVolumeModes, "the snapshot is of a " + source.volumeMode() + " volume, the target "
                    + targetMode);
        }
        return Choice.of(StorageProfile.SNAPSHOT, null);
    }

    /** The profile's strategy, else CDI's default: snapshot. */
    static String recommended(StorageProfile profile) {
        if (profile != null && profile.getSpec() != null && profile.getSpec().cloneStrategy != null) {
            return profile.getSpec().cloneStrategy;
        }
        if (profile != null && profile.getStatus() != null && profile.getStatus().cloneStrategy != null) {
            return profile.getStatus().cloneStrategy;
        }
        return StorageProfile.SNAPSHOT;
    }

    /**
     * CDI's {@code GetVolumeSnapshotClass}: when both profiles name the same class, only that one
     * (if it is the driver's); else the driver's default class; else the driver's first by name.
     */
    public static String snapshotClass(String driver, StorageProfile target, StorageProfile source, List<VolumeSnapshotClass> classes) {
        String named = profileClass(target);
        if (named != null && named.equals(profileClass(source))) {
            return classes.stream().filter(c -> named.equals(c.getMetadata().getName()) && driver.equals(c.driver))
                    .map(c -> c.getMetadata().getName()).findFirst().orElse(null);
        }
        List<VolumeSnapshotClass> ofDriver = classes.stream().filter(c -> driver.equals(c.driver))
                .sorted(Comparator.comparing(c -> c.getMetadata().getName())).toList();
        return ofDriver.stream().filter(VolumeSnapshotClass::isDefault).findFirst().or(() -> ofDriver.stream().findFirst())
                .map(c -> c.getMetadata().getName()).orElse(null);
    }

    private static String profileClass(StorageProfile profile) {
        if (profile == null) {
            return null;
        }
        return profile.getSpec() != null && profile.getSpec().snapshotClass != null ? profile.getSpec().snapshotClass
                : profile.getStatus() == null ? null : profile.getStatus().snapshotClass;
    }
}
