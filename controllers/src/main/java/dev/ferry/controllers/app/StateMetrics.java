package dev.ferry.controllers.app;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.clone.k8s.CloneReconciler;
import dev.ferry.controllers.runtime.k8s.DefaultStorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the controller's gauges say about the objects it watches, computed from them at scrape
 * time as KubeVirt's and CDI's collectors do: each method is a pure function from the objects to
 * the rows (label values and a value) a Prometheus gauge shows.
 */
public final class StateMetrics {
    /** CDI counts a population Pod whose container restarted more than this as restarting unusually often. */
    public static final int HIGH_RESTARTS = 3;
    /** KubeVirt's annotation naming the default storage class for VMs. */
    public static final String VIRT_DEFAULT_CLASS = "storageclass.kubevirt.io/is-default-virt-class";
    public static final String EVICT_LIVE_MIGRATE = "LiveMigrate";

    /** One row of a gauge: its labels (name → value, in order) and value. */
    public record Row(Map<String, String> labels, double value) {
    }

    private StateMetrics() {
    }

    /** import, upload or clone: what fills a DataVolume (CDI's names for its population Pods). */
    public static String population(DataVolume dv) {
        if (dv.getSpec() == null) {
            return "import";
        }
        var source = dv.getSpec().source;
        if (dv.getSpec().sourceRef != null || CloneReconciler.clones(source)) {
            return "clone";
        }
        return source != null && source.upload != null ? "upload" : "import";
    }

    /** DataVolumes not yet finished whose worker restarted more than {@link #HIGH_RESTARTS} times, of one population kind. */
    public static long highRestarts(Collection<DataVolume> dataVolumes, String population) {
        return dataVolumes.stream().filter(dv -> population.equals(population(dv)) && dv.getStatus() != null
                && !Phases.SUCCEEDED.equals(dv.getStatus().phase) && dv.getStatus().restartCount != null
                && dv.getStatus().restartCount > HIGH_RESTARTS).count();
    }

    /** DataVolumes per phase (one without status is Pending), every phase in {@code always} present even at 0. */
    public static List<Row> phases(Collection<DataVolume> dataVolumes, List<String> always) {
        Map<String, Double> counts = new TreeMap<>();
        always.forEach(p -> counts.put(p, 0.0));
        dataVolumes.forEach(dv -> counts.merge(dv.getStatus() == null || dv.getStatus().phase == null ? Phases.PENDING
                : dv.getStatus().phase, 1.0, Double::sum));
        return counts.entrySet().stream().map(e -> new Row(Map.of("phase", e.getKey()), e.getValue())).toList();
    }

    /** Failed DataVolumes by population kind and the reason their Running (else Ready) condition gives. */
    public static List<Row> failures(Collection<DataVolume> dataVolumes) {
        Map<String, Map<String, Long>> counts = dataVolumes.stream()
                .filter(dv -> dv.getStatus() != null && Phases.FAILED.equals(dv.getStatus().phase))
                .collect(Collectors.groupingBy(StateMetrics::population, TreeMap::new,
                        Collectors.groupingBy(dv -> reason(dv.getStatus().conditions), TreeMap::new, Collectors.counting())));
        List<Row> rows = new ArrayList<>();
        counts.forEach((kind, reasons) -> reasons.forEach((reason, count) -> rows.add(new Row(ordered("kind", kind, "reason", reason),
                count))));
        return rows;
    }

    private static String reason(List<DataVolumeCondition> conditions) {
        return reasonOf(conditions, Phases.CONDITION_RUNNING).or(() -> reasonOf(conditions, Phases.CONDITION_READY)).orElse("Unknown");
    }

    private static java.util.Optional<String> reasonOf(List<DataVolumeCondition> conditions, String type) {
        return conditions == null ? java.util.Optional.empty() : conditions.stream()
                .filter(c -> type.equals(c.type) && c.reason != null && !c.reason.isEmpty()).map(c -> c.reason).findFirst();
    }

    /**
     * CDI's {@code kubevirt_cdi_storageprofile_info}: one row per storage class, 1, labelled with its
     * provisioner, whether its profile is complete (it recommends access and volume modes), whether it
     * is the default class or the default class for VMs, whether it offers ReadWriteMany and whether
     * it clones without copying (snapshot or csi-clone).
     */
    public static List<Row> storageProfiles(Collection<StorageClass> classes, Collection<StorageProfile> profiles) {
        Map<String, StorageProfile> byName = new TreeMap<>();
        profiles.forEach(p -> byName.put(p.getMetadata().getName(), p));
        List<Row> rows = new ArrayList<>();
        for (StorageClass sc : classes) {
            StorageProfile profile = byName.get(sc.getMetadata().getName());
            StorageProfile.Status status = profile == null ? null : profile.getStatus();
            boolean complete = status != null && status.claimPropertySets != null && status.claimPropertySets.stream()
                    .anyMatch(s -> s.accessModes != null && !s.accessModes.isEmpty() && s.volumeMode != null);
            boolean rwx = complete && status.claimPropertySets.stream()
                    .anyMatch(s -> s.accessModes != null && s.accessModes.contains("ReadWriteMany"));
            String strategy = profile == null ? null
                    : profile.getSpec() != null && profile.getSpec().cloneStrategy != null ? profile.getSpec().cloneStrategy
                    : status == null ? null : status.cloneStrategy;
            boolean smart = StorageProfile.SNAPSHOT.equals(strategy) || StorageProfile.CSI_CLONE.equals(strategy);
            Map<String, String> annotations = sc.getMetadata().getAnnotations() == null ? Map.of() : sc.getMetadata().getAnnotations();
            rows.add(new Row(ordered("storageclass", sc.getMetadata().getName(), "provisioner", String.valueOf(sc.getProvisioner()),
                    "complete", bool(complete), "default", bool("true".equals(annotations.get(DefaultStorageClass.ANNOTATION))),
                    "virtdefault", bool("true".equals(annotations.get(VIRT_DEFAULT_CLASS))), "rwx", bool(rwx),
                    "smartclone", bool(smart)), 1));
        }
        return rows;
    }

    /**
     * KubeVirt's {@code kubevirt_vmi_non_evictable}: 1 for a running VMI whose eviction strategy is
     * LiveMigrate while its LiveMigratable condition is False — a node drain would stop it.
     */
    public static List<Row> nonEvictable(Collection<VirtualMachineInstance> vmis) {
        List<Row> rows = new ArrayList<>();
        for (VirtualMachineInstance vmi : vmis) {
            String strategy = vmi.getSpec() == null ? null : vmi.getSpec().evictionStrategy;
            if (!EVICT_LIVE_MIGRATE.equals(strategy) || vmi.getStatus() == null || vmi.getStatus().conditions == null) {
                continue;
            }
            vmi.getStatus().conditions.stream().filter(c -> "LiveMigratable".equals(c.type) && "False".equals(c.status)).findFirst()
                    .ifPresent(c -> rows.add(new Row(ordered("namespace", vmi.getMetadata().getNamespace(), "name",
                            vmi.getMetadata().getName(), "node", String.valueOf(vmi.getStatus().nodeName)), 1)));
        }
        return rows;
    }

    /** Migrations per phase, KubeVirt's {@code kubevirt_vmi_migrations_in_<phase>_phase} (pending, scheduling, running). */
    public static long migrationsIn(Collection<VirtualMachineInstanceMigration> migrations, String kubevirtPhase) {
        return migrations.stream().filter(m -> kubevirtPhase.equals(phaseGroup(m.getStatus() == null ? null : m.getStatus().phase)))
                .count();
    }

    /** pending, scheduling, running or ended: how KubeVirt's migration gauges group the phases. */
    static String phaseGroup(String phase) {
        if (phase == null || VirtualMachineInstanceMigration.PENDING.equals(phase)) {
            return "pending";
        }
        return switch (phase) {
            case VirtualMachineInstanceMigration.SCHEDULING, VirtualMachineInstanceMigration.SCHEDULED -> "scheduling";
            case VirtualMachineInstanceMigration.SUCCEEDED, VirtualMachineInstanceMigration.FAILED -> "ended";
            default -> "running";
        };
    }

    /** KubeVirt's {@code kubevirt_vmi_migration_succeeded} / {@code _failed}: 1 per ended migration, by VMI and migration. */
    public static List<Row> migrationsEnded(Collection<VirtualMachineInstanceMigration> migrations, String phase) {
        return migrations.stream().filter(m -> m.getStatus() != null && phase.equals(m.getStatus().phase) && m.getSpec() != null)
                .map(m -> new Row(ordered("namespace", m.getMetadata().getNamespace(), "vmi", m.getSpec().vmiName, "name",
                        m.getMetadata().getName()), 1)).toList();
    }

    /** The pause of each VMI's last completed migration, in seconds (QEMU's downtime). */
    public static List<Row> migrationDowntime(Collection<VirtualMachineInstance> vmis) {
        List<Row> rows = new ArrayList<>();
        for (VirtualMachineInstance vmi : vmis) {
            VmiStatus.MigrationState m = vmi.getStatus() == null ? null : vmi.getStatus().migrationState;
            if (m != null && Boolean.TRUE.equals(m.completed) && !Boolean.TRUE.equals(m.failed) && m.downtimeMillis != null
                    && m.downtimeMillis >= 0) {
                rows.add(new Row(ordered("namespace", vmi.getMetadata().getNamespace(), "vmi", vmi.getMetadata().getName()),
                        m.downtimeMillis / 1000.0));
            }
        }
        return rows;
    }

    private static String bool(boolean value) {
        return String.valueOf(value).toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            labels.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return labels;
    }
}
