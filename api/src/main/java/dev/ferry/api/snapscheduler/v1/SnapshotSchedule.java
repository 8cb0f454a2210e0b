package dev.ferry.api.snapscheduler.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.api.meta.Condition;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/**
 * snapscheduler's SnapshotSchedule ({@code snapscheduler.backube/v1}), field for field: a
 * VolumeSnapshot of every selected claim on a cron schedule, kept by age and count per claim.
 */
@Group(SnapshotSchedule.GROUP)
@Version(SnapshotSchedule.VERSION)
@ShortNames({"snapshotschedule", "snapshotschedules"})
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule")
@AdditionalPrinterColumn(name = "Max age", jsonPath = ".spec.retention.expires")
@AdditionalPrinterColumn(name = "Max num", jsonPath = ".spec.retention.maxCount")
@AdditionalPrinterColumn(name = "Disabled", jsonPath = ".spec.disabled")
@AdditionalPrinterColumn(name = "Next snapshot", jsonPath = ".status.nextSnapshotTime")
public class SnapshotSchedule extends CustomResource<SnapshotSchedule.Spec, SnapshotSchedule.Status> implements Namespaced {
    public static final String GROUP = "snapscheduler.backube";
    public static final String VERSION = "v1";
    public static final String LABEL_SCHEDULE = "snapscheduler.backube/schedule";
    public static final String LABEL_WHEN = "snapscheduler.backube/when";
    public static final String CONDITION_RECONCILED = "Reconciled";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        /** The claims of the schedule's namespace to snapshot; empty or absent: all of them. */
        public LabelSelector claimSelector;
        public String schedule;
        public Boolean disabled;
        public Retention retention;
        public SnapshotTemplate snapshotTemplate;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Retention {
        /** A Go duration of hours, minutes or seconds ({@code ^\d+(h|m|s)$}). */
        public String expires;
        /** How many to keep per claim (at least 1). */
        public Integer maxCount;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SnapshotTemplate {
        public Map<String, String> labels;
        /** The VolumeSnapshotClass; absent: the default one. */
        public String snapshotClassName;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public List<Condition> conditions;
        public String lastSnapshotTime;
        public String nextSnapshotTime;
    }
}
