package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.List;
import java.util.Map;

/**
 * What a DataVolume's claim carries so that a backup restored by stock Velero — no plugin; uid,
 * owner references and status stripped, claims restored before DataVolumes — still knows what the
 * claim holds. kubevirt-velero-plugin adds these at backup time; Ferry writes them as the state
 * arises: {@value #POPULATED_FOR} once the claim is filled (a restored DataVolume adopts it and
 * imports nothing, as CDI does), {@value #IN_PROGRESS} until then (a restored DataVolume adopts it
 * and fills it again, since what was backed up is partial).
 */
public final class ClaimMarks {
    /** CDI's: the claim holds the named DataVolume's data. */
    public static final String POPULATED_FOR = "cdi.kubevirt.io/storage.populatedFor";
    /** kubevirt-velero-plugin's: the named DataVolume was still filling the claim. */
    public static final String IN_PROGRESS = "kvp.kubevirt.io/storage.inprogress";
    /** Velero's: left out of backups. */
    public static final String LABEL_EXCLUDE_FROM_BACKUP = "velero.io/exclude-from-backup";

    private ClaimMarks() {
    }

    /** What an existing claim this DataVolume does not own says about it. */
    public enum Restored {
        /** Nothing: someone else's claim (the DataVolume refuses it). */
        NONE,
        /** Filled for this DataVolume: adopted as it is. */
        POPULATED,
        /** Being filled for this DataVolume when it was backed up: adopted and filled again. */
        IN_PROGRESS
    }

    /**
     * Whether {@code pvc} is this DataVolume's claim brought back without its owner reference: it
     * names the DataVolume in a mark and no other object owns it.
     */
    public static Restored restored(PersistentVolumeClaim pvc, DataVolume dv) {
        if (pvc == null || DataVolumeDecision.ownedBy(pvc, dv) || ownedByAnother(pvc)) {
            return Restored.NONE;
        }
        Map<String, String> annotations = pvc.getMetadata().getAnnotations();
        String name = dv.getMetadata().getName();
        if (annotations == null) {
            return Restored.NONE;
        }
        if (name.equals(annotations.get(POPULATED_FOR))) {
            return Restored.POPULATED;
        }
        return name.equals(annotations.get(IN_PROGRESS)) ? Restored.IN_PROGRESS : Restored.NONE;
    }

    /**
     * The change the claim needs for the DataVolume in {@code phase}: the mark of the phase, the
     * other one removed, and the DataVolume as its owner when it was restored without one; null when
     * it carries all that already (or there is no claim).
     */
    public static Change change(DataVolume dv, PersistentVolumeClaim pvc, String phase) {
        if (pvc == null || pvc.getMetadata().getDeletionTimestamp() != null) {
            return null;
        }
        boolean owned = DataVolumeDecision.ownedBy(pvc, dv);
        if (!owned && restored(pvc, dv) == Restored.NONE) {
            return null;
        }
        boolean populated = Phases.SUCCEEDED.equals(phase);
        String set = populated ? POPULATED_FOR : IN_PROGRESS;
        String remove = populated ? IN_PROGRESS : POPULATED_FOR;
        Map<String, String> annotations = pvc.getMetadata().getAnnotations() == null ? Map.of() : pvc.getMetadata().getAnnotations();
        String name = dv.getMetadata().getName();
        boolean marked = name.equals(annotations.get(set)) && !annotations.containsKey(remove);
        if (marked && owned) {
            return null;
        }
        return new Change(Map.of(set, name), List.of(remove), owned ? null : PvcBuilder.owner(dv));
    }

    /** Annotations to set and remove on the claim, and the owner to add (null: none). */
    public record Change(Map<String, String> set, List<String> remove, OwnerReference owner) {
    }

    private static boolean ownedByAnother(PersistentVolumeClaim pvc) {
        return pvc.getMetadata().getOwnerReferences() != null && pvc.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> Boolean.TRUE.equals(ref.getController()));
    }
}
