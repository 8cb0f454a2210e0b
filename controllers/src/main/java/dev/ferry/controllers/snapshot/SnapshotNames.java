package dev.ferry.controllers.snapshot;

import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;

/** KubeVirt's names for what snapshots and restores make, and the finalizers, labels and annotations they use. */
public final class SnapshotNames {
    public static final String SNAPSHOT_FINALIZER = "snapshot.kubevirt.io/vmsnapshot-protection";
    public static final String CONTENT_FINALIZER = "snapshot.kubevirt.io/vmsnapshotcontent-protection";
    public static final String SOURCE_FINALIZER = "snapshot.kubevirt.io/snapshot-source-protection";
    public static final String RESTORE_FINALIZER = "snapshot.kubevirt.io/vmrestore-protection";
    public static final String LABEL_SOURCE_VM_NAME = "snapshot.kubevirt.io/source-vm-name";
    public static final String LABEL_SOURCE_VM_NAMESPACE = "snapshot.kubevirt.io/source-vm-namespace";
    public static final String LABEL_RESTORE_SOURCE_VM_NAME = "restore.kubevirt.io/source-vm-name";
    public static final String LABEL_RESTORE_SOURCE_VM_NAMESPACE = "restore.kubevirt.io/source-vm-namespace";
    public static final String ANN_RESTORE_NAME = "restore.kubevirt.io/name";
    public static final String ANN_LAST_RESTORE_UID = "restore.kubevirt.io/lastRestoreUID";
    public static final String ANN_OWNED_BY_VM = "restore.kubevirt.io/owned-by-vm";
    public static final String ANN_POPULATED_FOR = "cdi.kubevirt.io/storage.populatedFor";
    public static final String ANN_CONTENT_TYPE = "cdi.kubevirt.io/storage.contentType";
    /** Set on the VolumeSnapshots of a VirtualMachineClone's snapshot, and on its temporary objects. */
    public static final String LABEL_CLONE = "clone.kubevirt.io/clone";

    private SnapshotNames() {
    }

    /** {@code vmsnapshot-content-<snapshot uid>}. */
    public static String content(VirtualMachineSnapshot snapshot) {
        return "vmsnapshot-content-" + snapshot.getMetadata().getUid();
    }

    /** {@code vmsnapshot-<snapshot uid>-volume-<volume>}. */
    public static String volumeSnapshot(String snapshotUid, String volume) {
        return "vmsnapshot-" + snapshotUid + "-volume-" + volume;
    }

    /** The restore's mark on what it made: {@code <name>-<uid>}. */
    public static String restoreUid(VirtualMachineRestore restore) {
        return restore.getMetadata().getName() + "-" + restore.getMetadata().getUid();
    }

    /** {@code restore-<restore uid>-<volume>}: a restored claim's name under RandomizeNames. */
    public static String randomized(VirtualMachineRestore restore, String volume) {
        return "restore-" + restore.getMetadata().getUid() + "-" + volume;
    }

    /**
     * {@code <target>-<volume>} under PrefixTargetName, at most 63 characters: as KubeVirt's
     * {@code naming.GetName}, a name too long keeps its start and ends in a hash of the whole.
     */
    public static String prefixed(String target, String volume) {
        String name = target + "-" + volume;
        if (name.length() <= 63) {
            return name;
        }
        String hash = Integer.toHexString(name.hashCode() & 0x7fffffff);
        return name.substring(0, 63 - hash.length() - 1) + "-" + hash;
    }
}
