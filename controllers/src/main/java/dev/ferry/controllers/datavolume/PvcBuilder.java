package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.StorageSpec;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirements;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PVC a DataVolume owns, as a pure function of the DataVolume and its StorageProfile:
 * {@code spec.pvc} is used as given; {@code spec.storage} is completed from the profile (access
 * and volume modes) and, for filesystem volumes, grown so that the requested disk still fits
 * after filesystem overhead, as CDI does.
 */
public final class PvcBuilder {
    public static final String LABEL_APP = "app";
    public static final String APP = "containerized-data-importer";
    public static final String LABEL_DATAVOLUME = "ferry.kubevirt.dev/datavolume";
    private static final String ANNOTATION_PREFIX = "cdi.kubevirt.io/";
    public static final String ANN_CONTENT_TYPE = "cdi.kubevirt.io/storage.contentType";

    private PvcBuilder() {
    }

    public static PersistentVolumeClaim build(DataVolume dv, StorageDefaults profile) {
        PersistentVolumeClaimSpec spec = dv.getSpec().pvc != null
                ? new PersistentVolumeClaimSpecBuilder(dv.getSpec().pvc).build()
                : fromStorage(dv.getSpec().storage == null ? new StorageSpec() : dv.getSpec().storage, profile);
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(dv.getMetadata().getName())
                .withNamespace(dv.getMetadata().getNamespace())
                .withLabels(labels(dv))
                .withAnnotations(annotations(dv))
                .withOwnerReferences(owner(dv))
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    static PersistentVolumeClaimSpec fromStorage(StorageSpec storage, StorageDefaults profile) {
        PersistentVolumeClaimSpec spec = new PersistentVolumeClaimSpec();
        spec.setAccessModes(storage.accessModes != null && !storage.accessModes.isEmpty()
                ? List.copyOf(storage.accessModes) : profile.accessModes());
        String volumeMode = storage.volumeMode != null && !storage.volumeMode.equals("FromStorageProfile")
                ? storage.volumeMode : profile.volumeMode();
        spec.setVolumeMode(volumeMode);
        spec.setStorageClassName(storage.storageClassName);
        spec.setSelector(storage.selector);
        spec.setVolumeName(storage.volumeName);
        spec.setDataSource(storage.dataSource);
        spec.setDataSourceRef(storage.dataSourceRef);
        Quantity requested = storage.resources == null || storage.resources.getRequests() == null
                ? null : storage.resources.getRequests().get("storage");
        if (requested != null) {
            Quantity size = "Filesystem".equals(volumeMode) ? withOverhead(requested, profile.filesystemOverhead()) : requested;
            spec.setResources(new VolumeResourceRequirements(null, Map.of("storage", size)));
        }
        return spec;
    }

    /** size / (1 - overhead), rounded up to whole MiB: the disk must fit after the filesystem takes its share. */
    static Quantity withOverhead(Quantity requested, BigDecimal overhead) {
        if (overhead.signum() == 0) {
            return requested;
        }
        BigDecimal bytes = Quantity.getAmountInBytes(requested);
        BigDecimal grown = bytes.divide(BigDecimal.ONE.subtract(overhead), 0, RoundingMode.CEILING);
        BigDecimal mib = BigDecimal.valueOf(1L << 20);
        BigDecimal rounded = grown.divide(mib, 0, RoundingMode.CEILING).multiply(mib);
        return new Quantity(rounded.toBigInteger().shiftRight(20) + "Mi");
    }

    public static Map<String, String> labels(DataVolume dv) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_APP, APP);
        labels.put(LABEL_DATAVOLUME, dv.getMetadata().getName());
        return labels;
    }

    /**
     * CDI annotations the user set on the DataVolume travel to the PVC (bind requests,
     * pre-population), and the content type is recorded as CDI records it (a clone checks it).
     */
    static Map<String, String> annotations(DataVolume dv) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ANN_CONTENT_TYPE, dv.getSpec().contentType == null ? "kubevirt" : dv.getSpec().contentType);
        Map<String, String> source = dv.getMetadata().getAnnotations();
        if (source != null) {
            source.forEach((k, v) -> {
                if (k.startsWith(ANNOTATION_PREFIX)) {
                    annotations.put(k, v);
                }
            });
        }
        return annotations;
    }

    public static OwnerReference owner(DataVolume dv) {
        return new OwnerReferenceBuilder()
                .withApiVersion(DataVolume.GROUP + "/" + DataVolume.VERSION)
                .withKind("DataVolume")
                .withName(dv.getMetadata().getName())
                .withUid(dv.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }
}
