package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * CDI's DataImportCron: keeps a DataSource pointing at the newest import of a registry image
 * (polled on a cron schedule) or of a claim, and collects older imports. Field names follow CDI,
 * including its capitalised {@code currentImports} entries.
 */
@Group(DataVolume.GROUP)
@Version(DataVolume.VERSION)
@ShortNames({"dic", "dics"})
public class DataImportCron extends CustomResource<DataImportCron.Spec, DataImportCron.Status> implements Namespaced {
    public static final String GC_OUTDATED = "Outdated";
    public static final String GC_NEVER = "Never";
    public static final String RETAIN_ALL = "All";
    public static final String RETAIN_NONE = "None";
    public static final String FORMAT_PVC = "pvc";
    public static final String FORMAT_SNAPSHOT = "snapshot";
    public static final String CONDITION_UP_TO_DATE = "UpToDate";
    public static final String CONDITION_PROGRESSING = "Progressing";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        /** The DataVolume each import is made from (its source: registry or pvc). */
        public Template template;
        /** A 5-field cron expression; empty: imports only when the desired-digest annotation is set. */
        public String schedule;
        /** Outdated (default) or Never. */
        public String garbageCollect;
        /** How many imports to keep (default 3). */
        public Integer importsToKeep;
        /** The DataSource, in the cron's namespace, that points at the newest import. */
        public String managedDataSource;
        /** All (default): what the cron made stays when it is deleted; None: it goes too. */
        public String retentionPolicy;
        /** Whose rights the cron's clones and imports are checked against (default: default). */
        public String serviceAccountName;
    }

    /** A DataVolume template: metadata and spec, as in a VirtualMachine's dataVolumeTemplates. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Template {
        public ObjectMeta metadata;
        public DataVolumeSpec spec;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public List<ImportStatus> currentImports;
        public DataVolumeSource.ObjectRef lastImportedPVC;
        public String lastExecutionTimestamp;
        public String lastImportTimestamp;
        public String sourceFormat;
        public List<DataVolumeCondition> conditions;
    }

    /** An import in flight or done: its DataVolume and the digest it imports (CDI spells both with capitals). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ImportStatus {
        @JsonProperty("DataVolumeName")
        public String dataVolumeName;
        @JsonProperty("Digest")
        public String digest;

        public ImportStatus() {
        }

        public ImportStatus(String dataVolumeName, String digest) {
            this.dataVolumeName = dataVolumeName;
            this.digest = digest;
        }
    }

    @Override
    protected Spec initSpec() {
        return null;
    }

    @Override
    protected Status initStatus() {
        return null;
    }
}
