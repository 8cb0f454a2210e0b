package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.datavolume.PvcBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TypedLocalObjectReference;
import io.fabric8.kubernetes.api.model.TypedObjectReference;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirements;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.Map;

/**
 * The claims a clone makes: the DataVolume's own (from its spec, sized like the source when the
 * spec gives no size) and temporary ones in the source's namespace, each with a data source the
 * storage fills it from (a claim for a CSI clone, a VolumeSnapshot for a restore).
 */
final class CloneClaims {
    private CloneClaims() {
    }

    /** A data source: a claim (apiGroup "") or a VolumeSnapshot. */
    record From(String kind, String name) {
        static From claim(String name) {
            return new From("PersistentVolumeClaim", name);
        }

        static From snapshot(String name) {
            return new From(VolumeSnapshot.KIND, name);
        }

        String group() {
            return VolumeSnapshot.KIND.equals(kind) ? VolumeSnapshot.GROUP : "";
        }
    }

    /** The DataVolume's claim in its class, filled from {@code from}, or bound to {@code volume}, or empty (host-assisted). */
    static PersistentVolumeClaim target(CloneObserved o, From from, String volume) {
        PersistentVolumeClaim pvc = PvcBuilder.build(o.dv(), o.storage());
        pvc.getSpec().setStorageClassName(o.targetClass().getMetadata().getName());
        if (requested(pvc) == 0) {
            pvc.getSpec().setResources(new VolumeResourceRequirements(null, Map.of("storage", quantity(o.source().size()))));
        }
        fill(pvc, from);
        pvc.getSpec().setVolumeName(volume);
        return pvc;
    }

    /** A temporary claim in the source's namespace, in the target's class and size, owned by the DataVolume by label. */
    static PersistentVolumeClaim temporary(CloneObserved o, String name, From from, StorageClass storageClass) {
        PersistentVolumeClaim target = target(o, null, null);
        PersistentVolumeClaim tmp = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name)
                .withNamespace(o.source().namespace()).withLabels(CloneNames.labels(o.dv()))
                .addToAnnotations("cdi.kubevirt.io/storage.bind.immediate.requested", "true").endMetadata()
                .withSpec(target.getSpec()).build();
        tmp.getSpec().setStorageClassName(storageClass.getMetadata().getName());
        fill(tmp, from);
        return tmp;
    }

    private static void fill(PersistentVolumeClaim pvc, From from) {
        if (from == null) {
            return;
        }
        pvc.getSpec().setDataSource(new TypedLocalObjectReference(from.group(), from.kind(), from.name()));
        pvc.getSpec().setDataSourceRef(new TypedObjectReference(from.group(), from.kind(), from.name(), null));
    }

    /** {@code bytes} as a person writes it: in the largest binary unit that divides it (4294967296 is 4Gi). */
    static Quantity quantity(long bytes) {
        String[] units = {"Ti", "Gi", "Mi", "Ki"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes > 0 && bytes % unit == 0) {
                return new Quantity(bytes / unit + units[i]);
            }
        }
        return new Quantity(String.valueOf(bytes));
    }

    static long requested(PersistentVolumeClaim pvc) {
        Quantity size = pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
                ? null : pvc.getSpec().getResources().getRequests().get("storage");
        return size == null ? 0 : Quantity.getAmountInBytes(size).longValue();
    }

    static String contentType(DataVolume dv) {
        return dv.getSpec().contentType == null ? "kubevirt" : dv.getSpec().contentType;
    }

    static boolean bound(PersistentVolumeClaim pvc) {
        return pvc != null && pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase());
    }
}
