package dev.ferry.cli;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** kubectl-style tables: DataVolumes with phase, progress and restarts; VMs with printableStatus; others with their phase. */
final class Table {
    private Table() {
    }

    static void print(PrintWriter out, List<? extends HasMetadata> items) {
        if (items.isEmpty()) {
            out.println("No resources found.");
            return;
        }
        if (items.get(0) instanceof VirtualMachineSnapshotSchedule || items.get(0) instanceof SnapshotSchedule) {
            schedules(out, items);
            return;
        }
        boolean dv = items.get(0) instanceof DataVolume;
        out.println(dv ? String.format("%-32s %-20s %-10s %-9s %s", "NAME", "PHASE", "PROGRESS", "RESTARTS", "AGE")
                : String.format("%-40s %-12s %s", "NAME", "STATUS", "AGE"));
        for (HasMetadata item : items) {
            if (item instanceof DataVolume v) {
                out.println(String.format("%-32s %-20s %-10s %-9s %s", v.getMetadata().getName(), orDash(phase(v)),
                        v.getStatus() == null ? "-" : orDash(v.getStatus().progress),
                        v.getStatus() == null || v.getStatus().restartCount == null ? "0" : v.getStatus().restartCount, age(v)));
            } else {
                out.println(String.format("%-40s %-12s %s", item.getMetadata().getName(), orDash(phase(item)), age(item)));
            }
        }
    }

    /** Snapshot schedules: NAME SCHEDULE MAXCOUNT EXPIRES NEXT LAST. */
    private static void schedules(PrintWriter out, List<? extends HasMetadata> items) {
        String row = "%-28s %-16s %-9s %-9s %-21s %s";
        out.println(String.format(row, "NAME", "SCHEDULE", "MAXCOUNT", "EXPIRES", "NEXT", "LAST"));
        for (HasMetadata item : items) {
            String schedule;
            Integer maxCount;
            String expires;
            String next;
            String last;
            if (item instanceof VirtualMachineSnapshotSchedule s) {
                var spec = s.getSpec() == null ? new VirtualMachineSnapshotSchedule.Spec() : s.getSpec();
                schedule = spec.schedule;
                maxCount = spec.retention == null ? null : spec.retention.maxCount;
                expires = spec.retention == null ? null : spec.retention.expires;
                next = s.getStatus() == null ? null : s.getStatus().nextSnapshotTime;
                last = s.getStatus() == null ? null : s.getStatus().lastSnapshotTime;
            } else {
                SnapshotSchedule s = (SnapshotSchedule) item;
                var spec = s.getSpec() == null ? new SnapshotSchedule.Spec() : s.getSpec();
                schedule = spec.schedule;
                maxCount = spec.retention == null ? null : spec.retention.maxCount;
                expires = spec.retention == null ? null : spec.retention.expires;
                next = s.getStatus() == null ? null : s.getStatus().nextSnapshotTime;
                last = s.getStatus() == null ? null : s.getStatus().lastSnapshotTime;
            }
            out.println(String.format(row, item.getMetadata().getName(), orDash(schedule), maxCount == null ? "-" : maxCount,
                    orDash(expires), orDash(next), orDash(last)));
        }
    }

    static String phase(HasMetadata item) {
        if (item instanceof DataVolume v) {
            return v.getStatus() == null ? null : v.getStatus().phase;
        }
        if (item instanceof Pod p) {
            return p.getStatus() == null ? null : p.getStatus().getPhase();
        }
        if (item instanceof PersistentVolumeClaim c) {
            return c.getStatus() == null ? null : c.getStatus().getPhase();
        }
        if (item instanceof io.fabric8.kubernetes.api.model.PersistentVolume v) {
            return v.getStatus() != null && v.getStatus().getPhase() != null ? v.getStatus().getPhase()
                    : v.getSpec() != null && v.getSpec().getClaimRef() != null ? "Bound" : "Available";
        }
        if (item instanceof io.fabric8.kubernetes.api.model.Namespace n) {
            return n.getMetadata().getDeletionTimestamp() != null ? "Terminating"
                    : n.getStatus() != null && n.getStatus().getPhase() != null ? n.getStatus().getPhase() : "Active";
        }
        if (item instanceof io.fabric8.kubernetes.api.model.storage.StorageClass sc) {
            boolean isDefault = sc.getMetadata().getAnnotations() != null
                    && "true".equals(sc.getMetadata().getAnnotations().get("storageclass.kubernetes.io/is-default-class"));
            return sc.getProvisioner() + (isDefault ? " (default)" : "");
        }
        if (item instanceof VirtualMachine vm) {
            return vm.getStatus() == null ? null : vm.getStatus().printableStatus;
        }
        if (item instanceof VirtualMachineInstance vmi) {
            return vmi.getStatus() == null ? null : vmi.getStatus().phase;
        }
        if (item instanceof VirtualMachineInstanceMigration m) {
            return m.getStatus() == null ? null : m.getStatus().phase;
        }
        if (item instanceof DataSource ds) {
            return condition(ds.getStatus() == null ? null : ds.getStatus().conditions, "Ready", "Ready");
        }
        if (item instanceof DataImportCron cron) {
            return condition(cron.getStatus() == null ? null : cron.getStatus().conditions, "UpToDate", "UpToDate");
        }
        if (item instanceof VirtualMachineSnapshot s) {
            return s.getStatus() == null ? null : Boolean.TRUE.equals(s.getStatus().readyToUse) ? "ReadyToUse" : s.getStatus().phase;
        }
        if (item instanceof VirtualMachineSnapshotContent c) {
            return c.getStatus() == null ? null : Boolean.TRUE.equals(c.getStatus().readyToUse) ? "ReadyToUse" : "Pending";
        }
        if (item instanceof VirtualMachineRestore r) {
            return r.getStatus() == null ? null : Boolean.TRUE.equals(r.getStatus().complete) ? "Complete"
                    : r.getStatus().conditions != null && r.getStatus().conditions.stream().anyMatch(c -> "Failure".equals(c.type)
                            && "True".equals(c.status)) ? "Failed" : "InProgress";
        }
        if (item instanceof VirtualMachineClone c) {
            return c.getStatus() == null ? null : c.getStatus().phase;
        }
        if (item instanceof VolumeSnapshot vs) {
            return vs.getStatus() == null ? null : Boolean.TRUE.equals(vs.getStatus().readyToUse) ? "ReadyToUse" : "Pending";
        }
        return null;
    }

    /** {@code whenTrue} when the condition {@code type} is True, else its reason. */
    private static String condition(List<DataVolumeCondition> conditions, String type, String whenTrue) {
        DataVolumeCondition found = conditions == null ? null : conditions.stream().filter(c -> type.equals(c.type)).findFirst()
                .orElse(null);
        return found == null ? null : "True".equals(found.status) ? whenTrue : found.reason;
    }

    /** One line: the phase, a DataVolume's progress, and why it is not ready. */
    static String describe(HasMetadata item) {
        String phase = orDash(phase(item));
        if (item instanceof DataVolume v && v.getStatus() != null) {
            String progress = v.getStatus().progress == null || "N/A".equals(v.getStatus().progress) ? "" : " " + v.getStatus().progress;
            String message = readyMessage(v);
            return phase + progress + (message == null || message.isEmpty() ? "" : " (" + message + ")");
        }
        return phase;
    }

    static String readyMessage(HasMetadata item) {
        if (!(item instanceof DataVolume v) || v.getStatus() == null || v.getStatus().conditions == null) {
            return null;
        }
        for (DataVolumeCondition condition : v.getStatus().conditions) {
            if ("Ready".equals(condition.type) && !"True".equals(condition.status)) {
                return condition.message;
            }
        }
        return null;
    }

    private static String age(HasMetadata item) {
        String created = item.getMetadata().getCreationTimestamp();
        if (created == null) {
            return "-";
        }
        Duration age = Duration.between(Instant.parse(created), Instant.now());
        return age.toHours() > 0 ? age.toHours() + "h" : age.toMinutes() > 0 ? age.toMinutes() + "m" : age.toSeconds() + "s";
    }

    private static String orDash(Object value) {
        return value == null ? "-" : value.toString();
    }
}
