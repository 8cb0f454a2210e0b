package dev.ferry.controllers.clone;

import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.controllers.datavolume.PvcBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.List;

/**
 * A clone's source as the cluster has it: a claim (with its storage class and the Pods writing to
 * it) or a VolumeSnapshot (with its content). Missing objects are null.
 *
 * @param populated whether the claim holds its data (a DataVolume that made it has succeeded)
 * @param users Pods that mount the claim read-write and run (a clone waits for them)
 */
public record SourceVolume(String namespace, String name, boolean snapshot, PersistentVolumeClaim pvc, StorageClass storageClass,
        VolumeSnapshot volumeSnapshot, VolumeSnapshotContent content, boolean populated, List<String> users) {

    public boolean exists() {
        return snapshot ? volumeSnapshot != null : pvc != null;
    }

    /** Ready to copy from: a bound claim, or a snapshot ready to use with its content. */
    public boolean ready() {
        if (snapshot) {
            return volumeSnapshot != null && volumeSnapshot.getStatus() != null && Boolean.TRUE.equals(volumeSnapshot.getStatus().readyToUse)
                    && content != null;
        }
        return populated && pvc != null && pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase());
    }

    /** The driver the data lives on: the claim's class's provisioner, or the snapshot content's driver. */
    public String driver() {
        return snapshot ? (content == null ? null : content.getSpec().driver) : storageClass == null ? null : storageClass.getProvisioner();
    }

    public String volumeMode() {
        if (snapshot) {
            return content == null || content.getSpec().sourceVolumeMode == null ? "Filesystem" : content.getSpec().sourceVolumeMode;
        }
        return pvc == null || pvc.getSpec().getVolumeMode() == null ? "Filesystem" : pvc.getSpec().getVolumeMode();
    }

    /** The claim's requested size, or the snapshot's restore size, in bytes (0 unknown). */
    public long size() {
        if (snapshot) {
            return content == null || content.getStatus() == null || content.getStatus().restoreSize == null ? 0
                    : content.getStatus().restoreSize;
        }
        Quantity size = pvc == null || pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
                ? null : pvc.getSpec().getResources().getRequests().get("storage");
        return size == null ? 0 : Quantity.getAmountInBytes(size).longValue();
    }

    /** The content type the claim was populated with (CDI's annotation); kubevirt when it does not say. */
    public String contentType() {
        String type = pvc == null || pvc.getMetadata().getAnnotations() == null ? null
                : pvc.getMetadata().getAnnotations().get(PvcBuilder.ANN_CONTENT_TYPE);
        return type == null ? "kubevirt" : type;
    }

    public String describe() {
        return (snapshot ? "VolumeSnapshot " : "PVC ") + namespace + "/" + name;
    }
}
