package dev.ferry.local.storage;

import dev.ferry.api.cdi.v1beta1.StorageProfile;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Local-path storage for local mode: storage classes {@code local-path} (Immediate, the default)
 * and {@code local-path-wffc} (WaitForFirstConsumer) whose claims are bound to PersistentVolumes
 * backed by {@code DATA_ROOT/volumes/<pv>/} (filesystem) or a sparse file of the requested size
 * (block). Released volumes are deleted (reclaim policy Delete) or kept (Retain). RWX works:
 * everything is one host.
 */
public final class LocalPathStorage {
    public static final String CLASS = "local-path";
    public static final String CLASS_WFFC = "local-path-wffc";
    private static final String PROVISIONER = "ferry.kubevirt.dev/local-path";
    private static final Logger LOG = Logger.getLogger(LocalPathStorage.class.getName());

    private final KubernetesClient client;
    private final Path volumes;

    public LocalPathStorage(KubernetesClient client, Path dataRoot) throws IOException {
        this.client = client;
        this.volumes = Files.createDirectories(dataRoot.resolve("volumes"));
    }

    /** The storage classes and their StorageProfiles. */
    public void install() {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName(CLASS)
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                .withProvisioner(PROVISIONER).withVolumeBindingMode("Immediate").withReclaimPolicy("Delete").build())
                .createOr(existing -> existing.update());
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName(CLASS_WFFC)
                .endMetadata().withProvisioner(PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer")
                .withReclaimPolicy("Delete").build()).createOr(existing -> existing.update());
        for (String name : List.of(CLASS, CLASS_WFFC)) {
            StorageProfile profile = new StorageProfile();
            profile.getMetadata().setName(name);
            profile.setSpec(new StorageProfile.Spec());
            client.resource(profile).createOr(existing -> existing.update());
            profile = client.resources(StorageProfile.class).withName(name).get();
            StorageProfile.Status status = new StorageProfile.Status();
            status.storageClass = name;
            status.provisioner = PROVISIONER;
            StorageProfile.ClaimPropertySet set = new StorageProfile.ClaimPropertySet();
            set.accessModes = List.of("ReadWriteOnce");
            set.volumeMode = "Filesystem";
            status.claimPropertySets = List.of(set);
            status.filesystemOverhead = "0";
            profile.setStatus(status);
            client.resource(profile).updateStatus();
        }
    }

    /** Binds claims that can be bound, releases volumes whose claims are gone. */
    public void sync() throws IOException {
        for (PersistentVolumeClaim pvc : client.persistentVolumeClaims().inAnyNamespace().list().getItems()) {
            if (pvc.getMetadata().getDeletionTimestamp() == null && !"Bound".equals(phase(pvc)) && ours(pvc) && ready(pvc)) {
                bind(pvc);
            }
        }
        for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
            if (PROVISIONER.equals(annotation(pv)) && pv.getSpec().getClaimRef() != null && client.persistentVolumeClaims()
                    .inNamespace(pv.getSpec().getClaimRef().getNamespace()).withName(pv.getSpec().getClaimRef().getName())
                    .get() == null) {
                release(pv);
            }
        }
    }

    /** Where a bound claim's data lives: a directory (filesystem) or a file (block), or null. */
    public Path path(String namespace, String claim) {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
        if (pvc == null || pvc.getSpec().getVolumeName() == null || !"Bound".equals(phase(pvc))) {
            return null;
        }
        return backing(pvc.getSpec().getVolumeName(), "Block".equals(pvc.getSpec().getVolumeMode()));
    }

    private void bind(PersistentVolumeClaim pvc) throws IOException {
        String pvName = "pvc-" + pvc.getMetadata().getUid();
        boolean block = "Block".equals(pvc.getSpec().getVolumeMode());
        Quantity size = pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
                ? null : pvc.getSpec().getResources().getRequests().get("storage");
        long bytes = size == null ? 0 : Quantity.getAmountInBytes(size).longValue();
        Path backing = backing(pvName, block);
        if (block) {
            try (RandomAccessFile file = new RandomAccessFile(backing.toFile(), "rw")) {
                file.setLength(bytes);
            }
        } else {
            Files.createDirectories(backing);
        }
        PersistentVolume pv = new PersistentVolumeBuilder().withNewMetadata().withName(pvName)
                .addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER).endMetadata()
                .withNewSpec().withCapacity(size == null ? Map.of() : Map.of("storage", size))
                .withAccessModes(pvc.getSpec().getAccessModes()).withVolumeMode(block ? "Block" : "Filesystem")
                .withStorageClassName(className(pvc)).withPersistentVolumeReclaimPolicy("Delete")
                .withNewLocal().withPath(backing.toString()).endLocal()
                .withNewClaimRef().withNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
                .withUid(pvc.getMetadata().getUid()).endClaimRef().endSpec().build();
        client.resource(pv).createOr(existing -> existing.update());
        pvc.getSpec().setVolumeName(pvName);
        PersistentVolumeClaim updated = client.resource(pvc).update();
        updated.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                .withAccessModes(pvc.getSpec().getAccessModes()).withCapacity(size == null ? Map.of() : Map.of("storage", size))
                .build());
        client.resource(updated).updateStatus();
        LOG.info(() -> "bound " + pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName() + " to " + backing);
    }

    private void release(PersistentVolume pv) throws IOException {
        Path backing = Path.of(pv.getSpec().getLocal().getPath());
        if ("Delete".equals(pv.getSpec().getPersistentVolumeReclaimPolicy()) && backing.startsWith(volumes)) {
            delete(backing);
            client.resource(pv).delete();
            LOG.info(() -> "deleted volume " + pv.getMetadata().getName());
        }
    }

    private static void delete(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> tree = Files.walk(path)) {
                for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
    }

    private Path backing(String pvName, boolean block) {
        return block ? volumes.resolve(pvName + ".img") : volumes.resolve(pvName);
    }

    private boolean ours(PersistentVolumeClaim pvc) {
        String name = className(pvc);
        return CLASS.equals(name) || CLASS_WFFC.equals(name);
    }

    /** Immediate claims bind at once; WaitForFirstConsumer ones when a Pod uses them. */
    private boolean ready(PersistentVolumeClaim pvc) {
        if (!CLASS_WFFC.equals(className(pvc))) {
            return true;
        }
        for (Pod pod : client.pods().inNamespace(pvc.getMetadata().getNamespace()).list().getItems()) {
            if (pod.getSpec().getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
                    && pvc.getMetadata().getName().equals(v.getPersistentVolumeClaim().getClaimName()))) {
                return true;
            }
        }
        return false;
    }

    private static String className(PersistentVolumeClaim pvc) {
        return pvc.getSpec().getStorageClassName() == null ? CLASS : pvc.getSpec().getStorageClassName();
    }

    private static String phase(PersistentVolumeClaim pvc) {
        return pvc.getStatus() == null ? null : pvc.getStatus().getPhase();
    }

    private static String annotation(PersistentVolume pv) {
        return pv.getMetadata().getAnnotations() == null ? null
                : pv.getMetadata().getAnnotations().get("pv.kubernetes.io/provisioned-by");
    }
}
