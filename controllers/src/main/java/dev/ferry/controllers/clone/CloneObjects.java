package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;

/** The temporary VolumeSnapshot of a clone. */
final class CloneObjects {
    private CloneObjects() {
    }

    static VolumeSnapshot snapshot(CloneObserved o, String snapshotClass) {
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.getMetadata().setName(CloneNames.tmpSnapshot(o.dv()));
        vs.getMetadata().setNamespace(o.source().namespace());
        vs.getMetadata().setLabels(CloneNames.labels(o.dv()));
        vs.setSpec(new VolumeSnapshot.Spec());
        vs.getSpec().source = new VolumeSnapshot.Source();
        vs.getSpec().source.persistentVolumeClaimName = o.source().name();
        vs.getSpec().volumeSnapshotClassName = snapshotClass;
        return vs;
    }

    static boolean ready(VolumeSnapshot vs) {
        return vs != null && vs.getStatus() != null && Boolean.TRUE.equals(vs.getStatus().readyToUse);
    }
}
