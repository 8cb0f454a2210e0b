package dev.ferry.local.storage;

import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.snapshot.mover.VolumeMover;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Local storage's snapshotter, as the external-snapshotter and a CSI driver with snapshots do it
 * together: a VolumeSnapshot of a claim on local storage gets a VolumeSnapshotContent
 * ({@code snapcontent-<uid>}) whose snapshot is a reflink (or sparse copy) of the volume under
 * {@code DATA_ROOT/snapshots/}; a VolumeSnapshot naming a pre-provisioned content (one with a
 * {@code snapshotHandle}) is bound to it. When a VolumeSnapshot goes, its content and data go with
 * it under deletionPolicy Delete and stay under Retain.
 */
public final class LocalSnapshotter {
    private static final Logger LOG = Logger.getLogger(LocalSnapshotter.class.getName());
    private final KubernetesClient client;
    private final Backings backings;
    private final VolumePopulator populator;
    private final Clock clock;

    LocalSnapshotter(KubernetesClient client, Backings backings, VolumePopulator populator, Clock clock) {
        this.client = client;
        this.backings = backings;
        this.populator = populator;
        this.clock = clock;
    }

    /** One pass over every VolumeSnapshot and content; one at a time with {@link #takeNow}, so none is taken twice. */
    public synchronized void sync() throws IOException {
        List<VolumeSnapshot> snapshots = client.resources(VolumeSnapshot.class).inAnyNamespace().list().getItems();
        Map<String, VolumeSnapshotContent> contents = client.resources(VolumeSnapshotContent.class).list().getItems().stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
        for (VolumeSnapshot vs : snapshots) {
            if (unbound(vs)) {
                if (vs.getSpec().source.persistentVolumeClaimName != null) {
                    take(vs);
                } else if (vs.getSpec().source.volumeSnapshotContentName != null) {
                    bindPreProvisioned(vs, contents.get(vs.getSpec().source.volumeSnapshotContentName));
                }
            }
        }
        for (VolumeSnapshotContent content : contents.values()) {
            VolumeSnapshotContent.Reference ref = content.getSpec().volumeSnapshotRef;
            boolean orphaned = ref != null && ref.name != null && snapshots.stream().noneMatch(vs -> ref.name.equals(vs.getMetadata().getName())
                    && ref.namespace.equals(vs.getMetadata().getNamespace()));
            if (orphaned && StorageClasses.PROVISIONER.equals(content.getSpec().driver) && content.getStatus() != null
                    && content.getStatus().readyToUse != null) {
                release(content);
            }
        }
    }

    /**
     * Takes one VolumeSnapshot of a claim now, if it is still to be taken: local mode calls this as
     * a VolumeSnapshot is created, so a VM snapshot's guest stays frozen for the reflink, not for
     * the next pass over everything.
     */
    public synchronized void takeNow(String namespace, String name) throws IOException {
        VolumeSnapshot vs = client.resources(VolumeSnapshot.class).inNamespace(namespace).withName(name).get();
        if (vs != null && unbound(vs) && vs.getSpec().source.persistentVolumeClaimName != null) {
            take(vs);
        }
    }

    private static boolean unbound(VolumeSnapshot vs) {
        return vs.getMetadata().getDeletionTimestamp() == null && (vs.getStatus() == null
                || vs.getStatus().boundVolumeSnapshotContentName == null) && vs.getSpec() != null && vs.getSpec().source != null;
    }

    /** A new snapshot of a claim of this driver: content first, then the data, then both statuses. */
    private void take(VolumeSnapshot vs) throws IOException {
        String namespace = vs.getMetadata().getNamespace();
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace)
                .withName(vs.getSpec().source.persistentVolumeClaimName).get();
        VolumeSnapshotClass snapshotClass = snapshotClass(vs);
        if (snapshotClass == null || pvc == null || pvc.getSpec().getVolumeName() == null || pvc.getStatus() == null
                || !"Bound".equals(pvc.getStatus().getPhase())) {
            return;
        }
        String className = LocalPathStorage.className(pvc);
        var storageClass = className == null ? null : client.storage().v1().storageClasses().withName(className).get();
        String driver = storageClass == null ? null : storageClass.getProvisioner();
        if (!StorageClasses.PROVISIONER.equals(driver)) {
            fail(vs, "claim " + pvc.getMetadata().getName() + " is not on storage of driver " + StorageClasses.PROVISIONER
                    + ", which snapshot class " + snapshotClass.getMetadata().getName() + " serves");
            return;
        }
        boolean block = LocalPathStorage.block(pvc);
        String name = "snapcontent-" + vs.getMetadata().getUid();
        Path data = backings.snapshot(name, block);
        Instant now = clock.instant();
        VolumeMover.Moved moved = VolumeMover.copy(backings.volume(pvc.getSpec().getVolumeName(), block), data,
                populator.reflinkSupported());
        VolumeSnapshotContent content = new VolumeSnapshotContent();
        content.getMetadata().setName(name);
        content.setSpec(new VolumeSnapshotContent.Spec());
        content.getSpec().volumeSnapshotRef = reference(vs);
        content.getSpec().deletionPolicy = snapshotClass.deletionPolicy;
        content.getSpec().driver = StorageClasses.PROVISIONER;
        content.getSpec().volumeSnapshotClassName = snapshotClass.getMetadata().getName();
        content.getSpec().source = new VolumeSnapshotContent.Source();
        content.getSpec().source.volumeHandle = pvc.getSpec().getVolumeName();
        content.getSpec().sourceVolumeMode = block ? "Block" : "Filesystem";
        long size = LocalPathStorage.requested(pvc);
        ready(client.resource(content).createOr(existing -> existing.update()), data, now, size);
        ready(vs, name, now, size);
        LOG.info(() -> "snapshot " + namespace + "/" + vs.getMetadata().getName() + " of " + pvc.getMetadata().getName() + " by "
                + moved.method() + " in " + moved.millis() + " ms");
    }

    /** A VolumeSnapshot bound to a content made beforehand (Velero's restore, a snapshot from elsewhere). */
    private void bindPreProvisioned(VolumeSnapshot vs, VolumeSnapshotContent content) {
        if (content == null || content.getSpec().source == null || content.getSpec().source.snapshotHandle == null) {
            return;
        }
        Path data = Path.of(content.getSpec().source.snapshotHandle);
        if (!backings.owns(data) || !java.nio.file.Files.exists(data)) {
            fail(vs, "content " + content.getMetadata().getName() + " names snapshot " + data + ", which this node does not hold");
            return;
        }
        if (content.getSpec().volumeSnapshotRef == null || content.getSpec().volumeSnapshotRef.uid == null) {
            content.getSpec().volumeSnapshotRef = reference(vs);
            content = client.resource(content).update();
        }
        long size = content.getStatus() != null && content.getStatus().restoreSize != null ? content.getStatus().restoreSize : 0;
        Instant created = content.getStatus() != null && content.getStatus().creationTime != null
                ? Instant.ofEpochSecond(0, content.getStatus().creationTime) : clock.instant();
        ready(content, data, created, size);
        ready(vs, content.getMetadata().getName(), created, size);
    }

    private void ready(VolumeSnapshotContent content, Path data, Instant created, long size) {
        content.setStatus(new VolumeSnapshotContent.Status());
        content.getStatus().snapshotHandle = data.toString();
        content.getStatus().creationTime = created.getEpochSecond() * 1_000_000_000L + created.getNano();
        content.getStatus().restoreSize = size;
        content.getStatus().readyToUse = true;
        client.resource(content).updateStatus();
    }

    private void ready(VolumeSnapshot vs, String content, Instant created, long size) {
        vs.setStatus(new VolumeSnapshot.Status());
        vs.getStatus().boundVolumeSnapshotContentName = content;
        vs.getStatus().creationTime = created.toString();
        vs.getStatus().readyToUse = true;
        vs.getStatus().restoreSize = new Quantity(String.valueOf(size));
        client.resource(vs).updateStatus();
    }

    private void fail(VolumeSnapshot vs, String message) {
        if (vs.getStatus() != null && vs.getStatus().error != null && message.equals(vs.getStatus().error.message)) {
            return;
        }
        vs.setStatus(new VolumeSnapshot.Status());
        vs.getStatus().readyToUse = false;
        vs.getStatus().error = new VolumeSnapshot.SnapshotError();
        vs.getStatus().error.time = clock.instant().toString();
        vs.getStatus().error.message = message;
        client.resource(vs).updateStatus();
    }

    /** Its VolumeSnapshot is gone: Delete removes the content and its data, Retain keeps both. */
    private void release(VolumeSnapshotContent content) throws IOException {
        if (!VolumeSnapshotContent.DELETE.equals(content.getSpec().deletionPolicy)) {
            return;
        }
        Path data = Path.of(content.getStatus().snapshotHandle);
        if (backings.owns(data)) {
            Backings.delete(data);
        }
        client.resource(content).delete();
        LOG.info(() -> "deleted snapshot content " + content.getMetadata().getName());
    }

    /** The named class, else the default class of this driver. */
    private VolumeSnapshotClass snapshotClass(VolumeSnapshot vs) {
        List<VolumeSnapshotClass> classes = client.resources(VolumeSnapshotClass.class).list().getItems();
        String wanted = vs.getSpec().volumeSnapshotClassName;
        return classes.stream().filter(c -> StorageClasses.PROVISIONER.equals(c.driver))
                .filter(c -> wanted != null ? wanted.equals(c.getMetadata().getName()) : c.isDefault()).findFirst().orElse(null);
    }

    private static VolumeSnapshotContent.Reference reference(VolumeSnapshot vs) {
        VolumeSnapshotContent.Reference ref = new VolumeSnapshotContent.Reference();
        ref.name = vs.getMetadata().getName();
        ref.namespace = vs.getMetadata().getNamespace();
        ref.uid = vs.getMetadata().getUid();
        return ref;
    }
}
