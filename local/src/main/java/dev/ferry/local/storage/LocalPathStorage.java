package dev.ferry.local.storage;

import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Local-path storage for local mode, a CSI driver on one machine: claims of its classes
 * ({@link StorageClasses}) are bound to PersistentVolumes backed by a directory (filesystem) or a
 * sparse file of exactly the requested size attached as a loop device (block: {@link LoopDevices}),
 * which Pods get as their device, as a kubelet maps a CSI block volume. A claim whose {@code dataSource} names a claim or a
 * VolumeSnapshot is populated first, by {@link VolumePopulator} (reflink or sparse copy). Released
 * volumes are deleted (reclaim policy Delete) or kept (Retain). RWX works: everything is one host.
 */
public final class LocalPathStorage {
    private static final Logger LOG = Logger.getLogger(LocalPathStorage.class.getName());

    private final KubernetesClient client;
    private final Backings backings;
    private final VolumePopulator populator;
    private final LocalSnapshotter snapshotter;
    private final EventRecorder events;
    private final LoopDevices loops;

    public LocalPathStorage(KubernetesClient client, Path dataRoot, Clock clock) throws IOException {
        this.client = client;
        this.backings = new Backings(dataRoot);
        this.populator = new VolumePopulator(client, backings);
        this.snapshotter = new LocalSnapshotter(client, backings, populator, clock);
        this.events = new EventRecorder(client, clock);
        this.loops = new LoopDevices(backings.volumes());
    }

    /** The annotation on a Block volume's PV naming the loop device it is attached as. */
    public static final String LOOP_DEVICE_ANNOTATION = "local.ferry.dev/loop-device";

    /** Whether the data root shares blocks, so clones and snapshots are reflinks (else sparse copies). */
    public boolean reflinkSupported() throws IOException {
        return populator.reflinkSupported();
    }

    /** The storage classes, their StorageProfiles and the default VolumeSnapshotClass. */
    public void install() {
        StorageClasses.install(client);
    }

    /**
     * Attaches the Block volumes there are (local mode starting): devices an earlier run left
     * attached are reused when their volume is still there and detached when it is not. Returns
     * one line per device for the start-up report.
     */
    public List<String> attachBlockVolumes() throws IOException {
        Map<Path, PersistentVolume> volumes = new HashMap<>();
        for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
            if ("Block".equals(pv.getSpec().getVolumeMode()) && pv.getSpec().getLocal() != null) {
                Path backing = Path.of(pv.getSpec().getLocal().getPath()).toAbsolutePath().normalize();
                if (backings.owns(backing) && Files.isRegularFile(backing)) {
                    volumes.put(backing, pv);
                }
            }
        }
        LoopDevices.Recovered recovered = loops.recover(volumes::containsKey);
        List<String> report = new ArrayList<>();
        recovered.released().forEach(d -> report.add("released " + d + ", left by an earlier run"));
        for (Map.Entry<Path, PersistentVolume> volume : volumes.entrySet()) {
            String device = loops.attach(volume.getKey());
            annotateDevice(volume.getValue(), device);
            var ref = volume.getValue().getSpec().getClaimRef();
            report.add(device + "  " + volume.getValue().getMetadata().getName()
                    + (ref == null ? "" : " (" + ref.getNamespace() + "/" + ref.getName() + ")") + ", "
                    + Files.size(volume.getKey()) + " bytes");
        }
        return report;
    }

    /** The loop devices held: backing file → device. */
    public Map<Path, String> loopDevices() {
        return loops.held();
    }

    /** Binds claims that can be bound, takes and binds snapshots, releases what is gone. */
    public void sync() throws IOException {
        claims();
        snapshotter.sync();
    }

    /** Takes a VolumeSnapshot just created, if it is one of this storage's to take (see {@link LocalSnapshotter#takeNow}). */
    public void snapshotNow(String namespace, String name) throws IOException {
        snapshotter.takeNow(namespace, name);
    }

    private void claims() throws IOException {
        Map<String, StorageClass> classes = new java.util.HashMap<>();
        client.storage().v1().storageClasses().list().getItems().forEach(sc -> classes.put(sc.getMetadata().getName(), sc));
        for (PersistentVolumeClaim pvc : client.persistentVolumeClaims().inAnyNamespace().list().getItems()) {
            if (pvc.getMetadata().getDeletionTimestamp() != null || "Bound".equals(phase(pvc))) {
                continue;
            }
            if (pvc.getSpec().getVolumeName() != null) {
                bindNamed(pvc);
                continue;
            }
            StorageClass sc = classes.get(className(pvc));
            if (sc == null) {
                events.record(pvc, Event.warning("ProvisioningFailed", "storageclass.storage.k8s.io \"" + className(pvc)
                        + "\" not found"), "0");
            } else if (ours(sc) && ready(pvc, sc)) {
                provision(pvc, sc);
            }
        }
        for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
            if (pv.getSpec().getLocal() != null && pv.getSpec().getClaimRef() != null && client.persistentVolumeClaims()
                    .inNamespace(pv.getSpec().getClaimRef().getNamespace()).withName(pv.getSpec().getClaimRef().getName())
                    .get() == null) {
                release(pv);
            }
        }
    }

    /** Where a bound claim's data lives: a directory (filesystem) or its loop device (block), or null. */
    public Path path(String namespace, String claim) throws IOException {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
        if (pvc == null || pvc.getSpec().getVolumeName() == null || !"Bound".equals(phase(pvc))) {
            return null;
        }
        Path backing = backings.volume(pvc.getSpec().getVolumeName(), block(pvc));
        if (!block(pvc)) {
            return backing;
        }
        String device = loops.live(backing);
        if (device == null) {
            // detached behind local mode's back: attached again, and the volume names the new device
            device = loops.attach(backing);
            PersistentVolume pv = client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).get();
            if (pv != null) {
                annotateDevice(pv, device);
            }
        }
        return Path.of(device);
    }

    /** The backing of a claim with no source, or the populated one once its copy is done; then the claim is bound. */
    private void provision(PersistentVolumeClaim pvc, StorageClass sc) throws IOException {
        String pv = "pvc-" + pvc.getMetadata().getUid();
        Path backing = backings.volume(pv, block(pvc));
        long size = requested(pvc);
        VolumePopulator.Progress populated = populator.populate(pvc, sc, backing);
        if (populated.waiting() != null) {
            events.record(pvc, Event.warning(populated.reason(), populated.waiting()), populated.reason());
            return;
        }
        if (!populated.done()) {
            return;
        }
        String device = null;
        if (block(pvc)) {
            if (size <= 0) {
                events.record(pvc, Event.warning("ProvisioningFailed", "a Block claim needs a size "
                        + "(spec.resources.requests.storage)"), "ProvisioningFailed");
                return;
            }
            // the claim's size, rounded up to whole MiB as a CSI driver rounds to its allocation unit; a device never
            // grows or shrinks after it is made
            size = deviceSize(size);
            try (RandomAccessFile file = new RandomAccessFile(backing.toFile(), "rw")) {
                file.setLength(size);
            }
            device = loops.attach(backing);
        } else {
            Files.createDirectories(backing);
        }
        bind(pvc, sc, pv, backing, device == null ? null : new Quantity((size >> 20) + "Mi"), device);
    }

    /** A Block volume's size for {@code requested} bytes: whole MiB, rounded up. */
    static long deviceSize(long requested) {
        return (requested + (1 << 20) - 1) & -(1L << 20);
    }

    /** Binds the claim to a new volume of {@code capacity} (null: the claim's request). */
    private void bind(PersistentVolumeClaim pvc, StorageClass sc, String pvName, Path backing, Quantity capacity, String device) {
        Quantity size = capacity != null ? capacity : pvc.getSpec().getResources() == null
                || pvc.getSpec().getResources().getRequests() == null ? null : pvc.getSpec().getResources().getRequests().get("storage");
        PersistentVolume pv = new PersistentVolumeBuilder().withNewMetadata().withName(pvName)
                .addToAnnotations("pv.kubernetes.io/provisioned-by", sc.getProvisioner())
                .addToAnnotations(device == null ? Map.of() : Map.of(LOOP_DEVICE_ANNOTATION, device)).endMetadata()
                .withNewSpec().withCapacity(size == null ? Map.of() : Map.of("storage", size))
                .withAccessModes(pvc.getSpec().getAccessModes()).withVolumeMode(block(pvc) ? "Block" : "Filesystem")
                .withStorageClassName(className(pvc)).withPersistentVolumeReclaimPolicy(sc.getReclaimPolicy())
                .withNewLocal().withPath(backing.toString()).endLocal()
                .withNewClaimRef().withNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
                .withUid(pvc.getMetadata().getUid()).endClaimRef().endSpec().build();
        client.resource(pv).createOr(existing -> existing.update());
        pvc.getSpec().setVolumeName(pvName);
        PersistentVolumeClaim updated = client.resource(pvc).update();
        updated.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                .withAccessModes(pvc.getSpec().getAccessModes()).withCapacity(size == null ? Map.of() : Map.of("storage", size))
                .build());
        client.resource(updated).updateStatus();
        LOG.info(() -> "bound " + pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName() + " to " + backing);
    }

    /**
     * A claim that names its volume binds to it once the volume's claim reference names the claim
     * (a volume moved between claims, as a cross-namespace clone moves it); until then it waits,
     * as the Kubernetes binder leaves it.
     */
    private void bindNamed(PersistentVolumeClaim pvc) {
        PersistentVolume pv = client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).get();
        var ref = pv == null ? null : pv.getSpec().getClaimRef();
        if (ref == null || !pvc.getMetadata().getNamespace().equals(ref.getNamespace()) || !pvc.getMetadata().getName().equals(ref.getName())
                || (ref.getUid() != null && !ref.getUid().equals(pvc.getMetadata().getUid()))) {
            return;
        }
        pvc.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").withAccessModes(pv.getSpec().getAccessModes())
                .withCapacity(pv.getSpec().getCapacity()).build());
        client.resource(pvc).updateStatus();
        LOG.info(() -> "bound " + pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName() + " to its volume "
                + pv.getMetadata().getName());
    }

    private void release(PersistentVolume pv) throws IOException {
        Path backing = Path.of(pv.getSpec().getLocal().getPath());
        if ("Delete".equals(pv.getSpec().getPersistentVolumeReclaimPolicy()) && backings.owns(backing)) {
            loops.release(backing);
            Backings.delete(backing);
            client.resource(pv).delete();
            LOG.info(() -> "deleted volume " + pv.getMetadata().getName());
        }
    }

    private static boolean ours(StorageClass sc) {
        return StorageClasses.PROVISIONER.equals(sc.getProvisioner()) || StorageClasses.PROVISIONER_COPY.equals(sc.getProvisioner());
    }

    /** Immediate claims bind at once; WaitForFirstConsumer ones when a Pod uses them. */
    private boolean ready(PersistentVolumeClaim pvc, StorageClass sc) {
        if (!"WaitForFirstConsumer".equals(sc.getVolumeBindingMode())) {
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

    /** A re-attached device is named on its volume, as the one it was bound with was. */
    private void annotateDevice(PersistentVolume pv, String device) {
        if (!device.equals(pv.getMetadata().getAnnotations() == null ? null : pv.getMetadata().getAnnotations().get(LOOP_DEVICE_ANNOTATION))) {
            client.persistentVolumes().withName(pv.getMetadata().getName()).edit(p -> {
                p.getMetadata().getAnnotations().put(LOOP_DEVICE_ANNOTATION, device);
                return p;
            });
        }
    }

    /** Stops copies and detaches the loop devices (the next start attaches them again). */
    public void close() {
        populator.close();
        loops.releaseAll();
    }

    static long requested(PersistentVolumeClaim pvc) {
        Quantity size = pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
                ? null : pvc.getSpec().getResources().getRequests().get("storage");
        return size == null ? 0 : Quantity.getAmountInBytes(size).longValue();
    }

    static boolean block(PersistentVolumeClaim pvc) {
        return "Block".equals(pvc.getSpec().getVolumeMode());
    }

    static String className(PersistentVolumeClaim pvc) {
        return pvc.getSpec().getStorageClassName() == null ? StorageClasses.CLASS : pvc.getSpec().getStorageClassName();
    }

    private static String phase(PersistentVolumeClaim pvc) {
        return pvc.getStatus() == null ? null : pvc.getStatus().getPhase();
    }
}
