package dev.ferry.api.schedule.v1alpha1;

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
 * Ferry's VirtualMachineSnapshotSchedule ({@code ferry.kubevirt.dev/v1alpha1}), shaped after
 * KubeVirt's unmerged proposal (itself modelled on snapscheduler): VirtualMachineSnapshots of the
 * selected VMs on a cron schedule — frozen through their guest agents — kept by age and count.
 */
@Group(VirtualMachineSnapshotSchedule.GROUP)
@Version(VirtualMachineSnapshotSchedule.VERSION)
@ShortNames({"vmss", "vmsnapshotschedule", "vmsnapshotschedules"})
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule")
@AdditionalPrinterColumn(name = "MaxCount", jsonPath = ".spec.retention.maxCount")
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".spec.retention.expires")
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextSnapshotTime")
@AdditionalPrinterColumn(name = "Last", jsonPath = ".status.lastSnapshotTime")
public class VirtualMachineSnapshotSchedule extends CustomResource<VirtualMachineSnapshotSchedule.Spec,
        VirtualMachineSnapshotSchedule.Status> implements Namespaced {
    public static final String GROUP = "ferry.kubevirt.dev";
    public static final String VERSION = "v1alpha1";
    /** On every snapshot a schedule takes: the schedule's name (as KubeVirt's proposal labels them). */
    public static final String LABEL_SCHEDULE = "snapshot.kubevirt.io/schedule-name";
    /** On every snapshot a schedule takes: its scheduled time, YYYYMMDDHHMM in UTC. */
    public static final String LABEL_WHEN = "snapshot.kubevirt.io/schedule-time";
    public static final String CONDITION_RECONCILED = "Reconciled";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        /** The VMs of the schedule's namespace to snapshot; empty or absent: all of them. */
        public LabelSelector vmSelector;
        /** A 5-field cron expression or @hourly, @daily, @weekly, @monthly, @yearly (@annually); UTC. */
        public String schedule;
        /** No new snapshots while true; expiry goes on. */
        public Boolean disabled;
        public Retention retention;
        public SnapshotTemplate snapshotTemplate;
    }

    /** Which snapshots go: older than {@code expires}, or beyond the newest {@code maxCount} per VM (either). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Retention {
        /** A Go duration ({@code 168h}, {@code 90m}). */
        public String expires;
        /** How many to keep per VM (at least 1). */
        public Integer maxCount;
    }

    /** What each snapshot gets besides the schedule's labels. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SnapshotTemplate {
        public Map<String, String> labels;
        /** The snapshot's failureDeadline (Go duration; default KubeVirt's 5m). */
        public String failureDeadline;
        /** Delete (default) or Retain. */
        public String deletionPolicy;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        public String lastSnapshotTime;
        public String nextSnapshotTime;
        /** Per selected VM: its last scheduled snapshot and how it went. */
        public List<VmResult> virtualMachines;
        public List<Condition> conditions;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VmResult {
        public String name;
        public String lastSnapshotName;
        /** InProgress, Succeeded, Failed, or Skipped (its previous scheduled snapshot was still running). */
        public String lastResult;
        /** Slots skipped because the previous snapshot was still running. */
        public Integer skipped;

        public VmResult() {
        }

        public VmResult(String name, String lastSnapshotName, String lastResult, Integer skipped) {
            this.name = name;
            this.lastSnapshotName = lastSnapshotName;
            this.lastResult = lastResult;
            this.skipped = skipped;
        }
    }
}
