package dev.ferry.controllers.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.controllers.vm.LauncherPodBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the VM, VMI and migration reconcilers on changes: informers on VirtualMachines, VMIs,
 * migrations, launcher Pods and DataVolumes, feeding three work queues. A VMI change also wakes
 * its VM and its running migrations; a launcher Pod wakes its VMI; a DataVolume wakes the VM that
 * owns it.
 */
public final class VmController implements AutoCloseable {
    private static final long RESYNC_MS = Duration.ofMinutes(5).toMillis();

    private final KubernetesClient client;
    private final WorkQueue vms;
    private final WorkQueue vmis;
    private final WorkQueue migrations;
    private SharedIndexInformer<VirtualMachineInstanceMigration> migrationInformer;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    public VmController(KubernetesClient client, VmReconciler vmReconciler, VmiReconciler vmiReconciler,
            MigrationReconciler migrationReconciler) {
        this.client = client;
        this.migrations = new WorkQueue("ferry-migrations", key -> migrationReconciler.reconcile(namespace(key), name(key)));
        this.vms = new WorkQueue("ferry-vms", key -> vmReconciler.reconcile(namespace(key), name(key)));
        this.vmis = new WorkQueue("ferry-vmis", key -> vmiReconciler.reconcile(namespace(key), name(key)));
    }

    public void start() {
        informers.add(client.resources(VirtualMachine.class).inAnyNamespace().inform(DataVolumeController.handler(o -> vms.add(key(o))), RESYNC_MS));
        migrationInformer = client.resources(VirtualMachineInstanceMigration.class).inAnyNamespace()
                .inform(DataVolumeController.handler(o -> migrations.add(key(o))), RESYNC_MS);
        informers.add(migrationInformer);
        informers.add(client.resources(VirtualMachineInstance.class).inAnyNamespace().inform(DataVolumeController.handler(o -> {
            vmis.add(key(o));
            owner(o, "VirtualMachine", vms);
            migrationsOf(o.getMetadata().getNamespace(), o.getMetadata().getName());
        }), RESYNC_MS));
        informers.add(client.pods().inAnyNamespace().withLabel(LauncherPodBuilder.LABEL_KUBEVIRT, LauncherPodBuilder.LAUNCHER)
                .inform(DataVolumeController.handler(o -> {
                    owner(o, "VirtualMachineInstance", vmis);
                    String vmi = o.getMetadata().getLabels().get(LauncherPodBuilder.LABEL_VMI_NAME);
                    if (vmi != null) {
                        migrationsOf(o.getMetadata().getNamespace(), vmi);
                    }
                }), RESYNC_MS));
        informers.add(client.resources(DataVolume.class).inAnyNamespace()
                .inform(DataVolumeController.handler(o -> owner(o, "VirtualMachine", vms)), RESYNC_MS));
    }

    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** Migrations of a VMI that have not ended wake up when it (or one of its launcher Pods) changes. */
    private void migrationsOf(String namespace, String vmi) {
        if (migrationInformer == null) {
            return;
        }
        for (VirtualMachineInstanceMigration m : migrationInformer.getStore().list()) {
            String phase = m.getStatus() == null ? null : m.getStatus().phase;
            if (namespace.equals(m.getMetadata().getNamespace()) && m.getSpec() != null && vmi.equals(m.getSpec().vmiName)
                    && !VirtualMachineInstanceMigration.SUCCEEDED.equals(phase) && !VirtualMachineInstanceMigration.FAILED.equals(phase)) {
                migrations.add(key(m));
            }
        }
    }

    private static void owner(HasMetadata object, String kind, WorkQueue queue) {
        for (OwnerReference owner : object.getMetadata().getOwnerReferences() == null
                ? List.<OwnerReference>of() : object.getMetadata().getOwnerReferences()) {
            if (kind.equals(owner.getKind())) {
                queue.add(object.getMetadata().getNamespace() + "/" + owner.getName());
            }
        }
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    private static String namespace(String key) {
        return key.substring(0, key.indexOf('/'));
    }

    private static String name(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        vms.close();
        vmis.close();
        migrations.close();
    }
}
