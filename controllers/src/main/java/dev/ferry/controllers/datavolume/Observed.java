package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;

/**
 * Everything one reconcile of a DataVolume reads, so the decision is a pure function of it.
 *
 * @param source the source to populate from ({@code spec.source}, or the DataSource {@code sourceRef} names), or null
 * @param sourceProblem why there is no usable source ({@code sourceRef} to a missing DataSource), or null
 * @param pvc the claim named like the DataVolume, or null
 * @param worker the worker Pod (importer or upload server), or null
 * @param storageClass the class the claim has, or the DataVolume asks for, or the cluster's default; null when none
 * @param bindingMode the storage class's volumeBindingMode, or null when unknown
 * @param consumerPresent whether a Pod other than Ferry's workers uses the claim
 * @param progress the running worker's progress in percent, or null when not known
 * @param storage what the class's StorageProfile recommends
 * @param claimProblem why the claim cannot bind (its storage class does not exist), or null
 */
public record Observed(DataVolume dv, DataVolumeSource source, String sourceProblem, PersistentVolumeClaim pvc, Pod worker,
        String storageClass, String bindingMode, boolean consumerPresent, Double progress, StorageDefaults storage, Instant now,
        String claimProblem) {
}
