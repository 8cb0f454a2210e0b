package dev.ferry.controllers.app;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.controllers.dataimportcron.k8s.DataImportCronControllers;
import dev.ferry.controllers.dataimportcron.k8s.DataImportCronReconciler;
import dev.ferry.controllers.datasource.k8s.DataSourceControllers;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.datavolume.k8s.DataVolumeControllers;
import dev.ferry.controllers.datavolume.k8s.DataVolumeReconciler;
import dev.ferry.controllers.export.ExportDecision;
import dev.ferry.controllers.export.k8s.ExportReconciler;
import dev.ferry.controllers.migration.MigrationDecision;
import dev.ferry.controllers.migration.k8s.MigrationReconciler;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.runtime.k8s.InformerController;
import dev.ferry.controllers.schedule.ScheduleCounters;
import dev.ferry.controllers.schedule.k8s.ScheduleControllers;
import dev.ferry.controllers.snapshot.k8s.SnapshotControllers;
import dev.ferry.controllers.vm.k8s.VmReconciler;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.controllers.vmi.k8s.VmiReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every controller the operator runs, each a reconciler and the informers that wake it. A new
 * controller is one more entry in {@link #all()}.
 */
public final class Controllers {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

    private final DataVolumeReconciler dataVolumes;
    private final InformerController<DataVolume> dataVolumeController;
    private final DataImportCronReconciler dataImportCrons;
    private final ScheduleCounters schedules = new ScheduleCounters();
    private final InformerController<VirtualMachineInstance> vmiController;
    private final InformerController<VirtualMachineInstanceMigration> migrationController;
    private final KubernetesClient client;
    private final List<InformerController<?>> all;

    public Controllers(KubernetesClient client, WorkerSettings workers, VmSettings vms, String namespace, Clock clock) {
        dataVolumes = new DataVolumeReconciler(client, workers, namespace, new WorkerProgress(), clock);
        dataVolumeController = DataVolumeControllers.controller(dataVolumes);
        dataImportCrons = new DataImportCronReconciler(client, workers, clock);
        vmiController = vmiController(client, vms, clock);
        migrationController = migrationController(client, vms, clock);
        this.client = client;
        all = List.of(dataVolumeController, DataSourceControllers.controller(client, clock),
                DataImportCronControllers.controller(dataImportCrons), vmController(client, clock),
                vmiController, migrationController,
                SnapshotControllers.snapshots(client, clock), SnapshotControllers.restores(client, clock),
                SnapshotControllers.clones(client, clock, suffixes()), ScheduleControllers.vms(client, clock, schedules),
                ScheduleControllers.claims(client, clock, schedules), exportController(client, workers, clock));
    }

    public List<InformerController<?>> all() {
        return all;
    }

    public DataVolumeReconciler dataVolumes() {
        return dataVolumes;
    }

    public DataImportCronReconciler dataImportCrons() {
        return dataImportCrons;
    }

    /** What the snapshot schedules took, saw fail and expired, and when each runs next. */
    public ScheduleCounters schedules() {
        return schedules;
    }

    public InformerController<DataVolume> dataVolumeController() {
        return dataVolumeController;
    }

    public InformerController<VirtualMachineInstance> vmiController() {
        return vmiController;
    }

    public InformerController<VirtualMachineInstanceMigration> migrationController() {
        return migrationController;
    }

    /** The client the controllers use (what the metrics read that no informer caches: storage classes and profiles). */
    public KubernetesClient client() {
        return client;
    }

    /** VMs, woken by their VMIs and DataVolumes. */
    private static InformerController<VirtualMachine> vmController(KubernetesClient client, Clock clock) {
        return new InformerController<VirtualMachine>("ferry-vms", c -> c.resources(VirtualMachine.class).inAnyNamespace(),
                new VmReconciler(client, clock))
                // by name, not owner: a VMI restored without its owner goes, and the VM then starts its own
                .watch(c -> c.resources(VirtualMachineInstance.class).inAnyNamespace(), (vmi, vms) -> List.of(ObjectKey.of(vmi)))
                .watchOwned(c -> c.resources(DataVolume.class).inAnyNamespace(), "VirtualMachine");
    }

    /** VirtualMachineExports, woken by what they made (server Pod, Service, Secrets, claims) and by VMIs of their VM going. */
    private static InformerController<VirtualMachineExport> exportController(KubernetesClient client, WorkerSettings workers, Clock clock) {
        return new InformerController<VirtualMachineExport>("ferry-exports", c -> c.resources(VirtualMachineExport.class).inAnyNamespace(),
                new ExportReconciler(client, workers, clock))
                .watchOwned(c -> c.pods().inAnyNamespace().withLabel(ExportDecision.LABEL_EXPORT), "VirtualMachineExport")
                .watchOwned(c -> c.persistentVolumeClaims().inAnyNamespace().withLabel(ExportDecision.LABEL_EXPORT), "VirtualMachineExport")
                .watch(c -> c.resources(VirtualMachineInstance.class).inAnyNamespace(), (vmi, exports) -> exports.list().stream()
                        .filter(e -> e.getMetadata().getNamespace().equals(vmi.getMetadata().getNamespace()) && e.getSpec().source != null
                                && "VirtualMachine".equals(e.getSpec().source.kind) && vmi.getMetadata().getName().equals(e.getSpec().source.name))
                        .map(ObjectKey::of).toList());
    }

    /** VMIs, woken by their launcher Pods. */
    private static InformerController<VirtualMachineInstance> vmiController(KubernetesClient client, VmSettings vms, Clock clock) {
        return new InformerController<VirtualMachineInstance>("ferry-vmis",
                c -> c.resources(VirtualMachineInstance.class).inAnyNamespace(), new VmiReconciler(client, vms, clock, suffixes()))
                .watchOwned(c -> c.pods().inAnyNamespace().withLabel(LauncherPodBuilder.LABEL_KUBEVIRT, LauncherPodBuilder.LAUNCHER),
                        "VirtualMachineInstance")
                .watch(c -> c.pods().inAnyNamespace().withLabel(LauncherPodBuilder.LABEL_KUBEVIRT, LauncherPodBuilder.LAUNCHER),
                        (pod, vmis) -> LauncherPodBuilder.stray(pod) && pod.getMetadata().getLabels().get(LauncherPodBuilder.LABEL_VMI_NAME) != null
                                ? List.of(new ObjectKey(pod.getMetadata().getNamespace(),
                                        pod.getMetadata().getLabels().get(LauncherPodBuilder.LABEL_VMI_NAME)))
                                : List.of());
    }

    /** Migrations, woken by their VMI and its launcher Pods while they have not ended. */
    private static InformerController<VirtualMachineInstanceMigration> migrationController(KubernetesClient client, VmSettings vms,
            Clock clock) {
        return new InformerController<VirtualMachineInstanceMigration>("ferry-migrations",
                c -> c.resources(VirtualMachineInstanceMigration.class).inAnyNamespace(),
                new MigrationReconciler(client, vms, clock, suffixes()))
                .watch(c -> c.resources(VirtualMachineInstance.class).inAnyNamespace(),
                        (vmi, migrations) -> running(migrations, vmi.getMetadata().getNamespace(), vmi.getMetadata().getName()))
                .watch(c -> c.pods().inAnyNamespace().withLabel(LauncherPodBuilder.LABEL_KUBEVIRT, LauncherPodBuilder.LAUNCHER),
                        (pod, migrations) -> running(migrations, pod.getMetadata().getNamespace(),
                                pod.getMetadata().getLabels().get(LauncherPodBuilder.LABEL_VMI_NAME)));
    }

    private static Collection<ObjectKey> running(Store<VirtualMachineInstanceMigration> migrations, String namespace, String vmi) {
        return vmi == null ? List.of() : migrations.list().stream()
                .filter(m -> namespace.equals(m.getMetadata().getNamespace()) && m.getSpec() != null && vmi.equals(m.getSpec().vmiName))
                .filter(m -> !VirtualMachineInstanceMigration.SUCCEEDED.equals(MigrationDecision.phase(m))
                        && !VirtualMachineInstanceMigration.FAILED.equals(MigrationDecision.phase(m)))
                .map(ObjectKey::of).toList();
    }

    /** Five random characters, as kube-apiserver's generateName adds them. */
    private static Supplier<String> suffixes() {
        return () -> {
            StringBuilder suffix = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                suffix.append(SUFFIX_CHARS.charAt(RANDOM.nextInt(SUFFIX_CHARS.length())));
            }
            return suffix.toString();
        };
    }
}
