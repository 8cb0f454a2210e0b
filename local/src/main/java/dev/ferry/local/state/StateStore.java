package dev.ferry.local.state;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import io.fabric8.kubernetes.client.CustomResource;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Local mode's persistence: the objects users and controllers care about (VMs too; their VMIs are
 * made again, as after a node restart), saved to
 * {@code DATA_ROOT/state/<kind>.yaml} (temp file + atomic rename) and loaded by the next
 * {@code ferry local up} with the uids they had (owner references, clone tokens and the names of
 * a clone's temporary objects depend on them). Worker Pods that were running when local mode stopped come back as
 * Failed ("the local node restarted"), so the controller restarts them; disks stay where they are.
 */
public final class StateStore {
    private static final Logger LOG = Logger.getLogger(StateStore.class.getName());
    /** In dependency order: owners (DataVolumes) before what they own. */
    private static final List<Class<? extends HasMetadata>> KINDS = List.of(Secret.class, ConfigMap.class,
            PersistentVolume.class, VolumeSnapshotContent.class, DataSource.class, DataImportCron.class, VirtualMachine.class,
            DataVolume.class, PersistentVolumeClaim.class, VirtualMachineClone.class, VirtualMachineSnapshot.class,
            VirtualMachineSnapshotContent.class, VolumeSnapshot.class, VirtualMachineRestore.class, VirtualMachineSnapshotSchedule.class,
            SnapshotSchedule.class, Service.class, Pod.class);
    /** Cluster-scoped kinds: listed without a namespace. */
    private static final java.util.Set<Class<?>> CLUSTER = java.util.Set.of(PersistentVolume.class, VolumeSnapshotContent.class);

    private final KubernetesClient client;
    private final Uids uids;
    private final Path dir;
    /** What each file holds now, so an unchanged kind is not rewritten every 2 s. */
    private final java.util.Map<Class<?>, String> written = new java.util.HashMap<>();

    /** Gives a re-created object its old uid back (the API server makes new ones). */
    @FunctionalInterface
    public interface Uids {
        void keep(HasMetadata created, String uid) throws IOException;
    }

    public StateStore(KubernetesClient client, Uids uids, Path dataRoot) throws IOException {
        this.client = client;
        this.uids = uids;
        this.dir = Files.createDirectories(dataRoot.resolve("state"));
    }

    public synchronized void save() throws IOException {
        for (Class<? extends HasMetadata> kind : KINDS) {
            List<? extends HasMetadata> items = CLUSTER.contains(kind) ? client.resources(kind).list().getItems()
                    : client.resources(kind).inAnyNamespace().list().getItems();
            String yaml = Serialization.asYaml(new ArrayList<>(items));
            if (yaml.equals(written.get(kind))) {
                continue;
            }
            Path file = dir.resolve(kind.getSimpleName() + ".yaml");
            Path temp = Files.createTempFile(dir, ".state", ".tmp");
            Files.writeString(temp, yaml);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written.put(kind, yaml);
        }
    }

    /** Re-creates what was saved; returns how many objects. */
    public int load() throws IOException {
        int count = 0;
        for (Class<? extends HasMetadata> kind : KINDS) {
            Path file = dir.resolve(kind.getSimpleName() + ".yaml");
            if (!Files.exists(file)) {
                continue;
            }
            List<?> items = Serialization.unmarshal(Files.readString(file), List.class);
            for (Object raw : items) {
                HasMetadata item = Serialization.unmarshal(Serialization.asJson(raw), kind);
                item.getMetadata().setResourceVersion(null);
                Object status = statusOf(item);
                if (item instanceof Pod pod && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                    interrupted(pod);
                }
                String uid = item.getMetadata().getUid();
                HasMetadata created = client.resource(item).create();
                if (uid != null) {
                    uids.keep(created, uid);
                }
                if (status != null) {
                    copyStatus(item, created);
                    client.resource(created).updateStatus();
                }
                count++;
            }
        }
        int loaded = count;
        LOG.info(() -> "restored " + loaded + " objects from " + dir);
        return count;
    }

    /** The status a saved object had (Pods, claims and custom resources carry one worth restoring), or null. */
    private static Object statusOf(HasMetadata item) {
        if (item instanceof Pod pod) {
            return pod.getStatus();
        }
        if (item instanceof PersistentVolumeClaim pvc) {
            return pvc.getStatus();
        }
        return item instanceof CustomResource<?, ?> custom ? custom.getStatus() : null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void copyStatus(HasMetadata from, HasMetadata to) {
        if (from instanceof Pod a && to instanceof Pod b) {
            b.setStatus(a.getStatus());
        } else if (from instanceof PersistentVolumeClaim a && to instanceof PersistentVolumeClaim b) {
            b.setStatus(a.getStatus());
        } else if (from instanceof CustomResource a && to instanceof CustomResource b) {
            b.setStatus(a.getStatus());
        }
    }

    /** A worker whose process went with the last local mode: failed, retryable, so the controller restarts it. */
    private static void interrupted(Pod pod) {
        String now = java.time.Instant.now().toString();
        pod.getStatus().setPhase("Failed");
        if (pod.getStatus().getContainerStatuses() != null) {
            pod.getStatus().getContainerStatuses().forEach(status -> status.setState(new io.fabric8.kubernetes.api.model
                    .ContainerStateBuilder().withNewTerminated().withExitCode(137).withReason("NodeRestarted")
                    .withMessage(TerminationMessage.failure("NodeRestarted", true, "the local node restarted while the worker ran")
                            .toJson()).withFinishedAt(now).endTerminated().build()));
        }
    }
}
