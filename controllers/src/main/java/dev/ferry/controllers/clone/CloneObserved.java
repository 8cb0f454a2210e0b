package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.controllers.datavolume.StorageDefaults;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.time.Instant;
import java.util.List;

/**
 * Everything one reconcile of a cloning DataVolume reads.
 *
 * @param unauthorized why the clone may not read its source (cross-namespace, no valid clone token), or null
 * @param targetClass the target's storage class, or null when it does not exist
 * @param snapshotDriverClass a storage class of the snapshot source's driver (to restore it for a copy), or null
 * @param target the DataVolume's claim, or null
 * @param tmpClaim the temporary claim in the source's namespace, or null
 * @param tmpVolume the PersistentVolume {@code tmpClaim} is bound to, or null
 * @param tmpSnapshot the temporary VolumeSnapshot of the source claim, or null
 * @param tmpSourceClaim the claim a snapshot source is restored into for a copy, or null
 * @param uploadPod the target's upload server (clone mode), or null
 * @param uploadService its Service, or null
 * @param sourcePod the clone source worker, or null
 * @param progress the clone source's progress in percent, or null
 */
public record CloneObserved(DataVolume dv, SourceVolume source, String unauthorized, StorageClass targetClass,
        StorageProfile targetProfile, StorageProfile sourceProfile, List<VolumeSnapshotClass> snapshotClasses,
        StorageClass snapshotDriverClass, StorageDefaults storage, PersistentVolumeClaim target, PersistentVolumeClaim tmpClaim,
        PersistentVolume tmpVolume, VolumeSnapshot tmpSnapshot, PersistentVolumeClaim tmpSourceClaim, Pod uploadPod,
        Service uploadService, Pod sourcePod, Double progress, Instant now) {

    public boolean sameNamespace() {
        return source.namespace().equals(dv.getMetadata().getNamespace());
    }
}
