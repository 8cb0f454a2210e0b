package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.datavolume.ClaimMarks;
import dev.ferry.controllers.datavolume.PvcBuilder;
import java.util.Map;

/**
 * CDI's names and annotations for a clone and the temporary objects it makes, which live in the
 * source's namespace and carry {@value #LABEL_OWNED_BY} (no owner reference crosses namespaces).
 */
public final class CloneNames {
    public static final String ANN_CLONE_TYPE = "cdi.kubevirt.io/cloneType";
    public static final String ANN_FALLBACK_REASON = "cdi.kubevirt.io/cloneFallbackReason";
    public static final String ANN_TOKEN = "cdi.kubevirt.io/storage.clone.token";
    public static final String ANN_EXTENDED_TOKEN = "cdi.kubevirt.io/storage.extended.clone.token";
    public static final String LABEL_OWNED_BY = "cdi.kubevirt.io/OwnedByUID";
    /** Where a DataVolume's workers in another namespace say whose they are. */
    public static final String LABEL_DATAVOLUME_NAMESPACE = "ferry.kubevirt.dev/datavolume-namespace";

    private CloneNames() {
    }

    /**
     * What every object a clone makes carries: who made it (the DataVolume, by name, namespace and
     * uid — no owner reference crosses namespaces) and that backups leave it out, being transient.
     */
    public static Map<String, String> labels(DataVolume dv) {
        Map<String, String> labels = PvcBuilder.labels(dv);
        labels.put(LABEL_DATAVOLUME_NAMESPACE, dv.getMetadata().getNamespace());
        labels.put(LABEL_OWNED_BY, dv.getMetadata().getUid());
        labels.put(ClaimMarks.LABEL_EXCLUDE_FROM_BACKUP, "true");
        return labels;
    }

    static String uid(DataVolume dv) {
        return dv.getMetadata().getUid();
    }

    public static String tmpClaim(DataVolume dv) {
        return "tmp-pvc-" + uid(dv);
    }

    public static String tmpSnapshot(DataVolume dv) {
        return "tmp-snapshot-" + uid(dv);
    }

    public static String tmpSourceClaim(DataVolume dv) {
        return "tmp-source-pvc-" + uid(dv);
    }

    public static String sourcePod(DataVolume dv) {
        return uid(dv) + "-source-pod";
    }

    /** The client certificate's Secret, beside the source Pod. */
    public static String clientSecret(DataVolume dv) {
        return sourcePod(dv);
    }

    /** The upload server's clone certificate, beside it. */
    public static String serverSecret(DataVolume dv) {
        return "cdi-upload-" + dv.getMetadata().getName() + "-clone";
    }

    /** The name the target's upload server accepts from its clone source, as CDI writes it. */
    public static String clientName(String sourceNamespace, String source, DataVolume dv) {
        return sourceNamespace + "/" + source + "-" + dv.getMetadata().getNamespace() + "/" + dv.getMetadata().getName();
    }
}
