package dev.ferry.controllers.dataimportcron;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Instant;
import java.util.List;

/**
 * Everything one reconcile of a DataImportCron reads.
 *
 * @param poller the poll in flight, or null
 * @param sourceClaimDigest for a template cloning a claim: {@code uid:<the claim's uid>}, or null (missing, or a registry template)
 * @param dataVolume the import DataVolume for the desired digest, or null
 * @param claim the claim of that name, or null
 * @param snapshot the VolumeSnapshot of that name, or null
 * @param imports every import the cron made (DataVolumes, claims, snapshots carrying its label)
 * @param dataSource the managed DataSource, or null
 * @param format pvc or snapshot: how the target class keeps golden images
 * @param snapshotClass the class a snapshot-format import is taken with, or null
 * @param unauthorized why the cron's service account may not clone its source claim, or null
 */
public record DicObserved(DataImportCron cron, Instant now, Poll poller, String sourceClaimDigest, DataVolume dataVolume,
        PersistentVolumeClaim claim, VolumeSnapshot snapshot, List<HasMetadata> imports, DataSource dataSource, String format,
        String snapshotClass, String unauthorized) {

    /** A poller Pod: its phase, and what it reported when it ended (null while it runs). */
    public record Poll(String phase, TerminationMessage result) {
    }
}
