package dev.ferry.controllers.datasource;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

/**
 * What a DataSource's reconcile reads.
 *
 * @param reference what it points at, resolved
 * @param pvc the claim it points at, or null
 * @param dataVolume the DataVolume named like that claim in its namespace (the one filling it), or null
 * @param snapshot the VolumeSnapshot it points at, or null
 */
public record DataSourceObserved(DataSource ds, DataSourceReference reference, PersistentVolumeClaim pvc, DataVolume dataVolume,
        VolumeSnapshot snapshot) {
}
