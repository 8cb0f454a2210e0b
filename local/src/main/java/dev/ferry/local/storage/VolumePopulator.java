package dev.ferry.local.storage;

import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.snapshot.mover.VolumeMover;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.TypedObjectReference;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;

/**
 * Fills a new claim from its {@code dataSource}/{@code dataSourceRef} — another claim of the same
 * driver (a CSI clone) or a VolumeSnapshot (a restore) — as a CSI driver with those capabilities
 * does: by reflink where the data root shares blocks, else by sparse copy, in the background,
 * into a partial backing renamed when complete. Claims without a source are ready at once;
 * sources of other kinds (populators) are not this driver's to fill.
 */
final class VolumePopulator {
    private static final Logger LOG = Logger.getLogger(VolumePopulator.class.getName());

    /** Done (bind now), still copying, or waiting for a reason (an event with {@code reason}). */
    record Progress(boolean done, String reason, String waiting) {
        static final Progress DONE = new Progress(true, null, null);
        static final Progress COPYING = new Progress(false, null, null);

        static Progress waiting(String reason, String message) {
            return new Progress(false, reason, message);
        }
    }

    /** How long one pass waits for a copy to finish before it leaves it to the background. */
    private static final java.time.Duration QUICK_COPY = java.time.Duration.ofMillis(50);
    private final KubernetesClient client;
    private final Backings backings;
    private final ExecutorService copies = Executors.newSingleThreadExecutor(dev.ferry.controllers.runtime.WorkQueue.daemon(
            "ferry-local-copies"));
    private final Map<Path, Future<VolumeMover.Moved>> running = new ConcurrentHashMap<>();
    private volatile Boolean reflink;

    VolumePopulator(KubernetesClient client, Backings backings) {
        this.client = client;
        this.backings = backings;
    }

    Progress populate(PersistentVolumeClaim pvc, StorageClass sc, Path backing) throws IOException {
        TypedObjectReference source = source(pvc);
        if (source == null || Files.exists(backing)) {
            return Progress.DONE;
        }
        boolean fromClaim = "PersistentVolumeClaim".equals(source.getKind()) && (source.getApiGroup() == null
                || source.getApiGroup().isEmpty());
        boolean fromSnapshot = "VolumeSnapshot".equals(source.getKind()) && VolumeSnapshot.GROUP.equals(source.getApiGroup());
        if (!fromClaim && !fromSnapshot) {
            return Progress.COPYING;
        }
        if (!StorageClasses.clonable(sc.getProvisioner())) {
            return Progress.waiting("ProvisioningFailed", "storage class " + sc.getMetadata().getName() + " (driver "
                    + sc.getProvisioner() + ") supports neither volume clones nor snapshots");
        }
        Future<VolumeMover.Moved> copy = running.get(backing);
        if (copy == null) {
            From from = fromClaim ? fromClaim(pvc, source.getName()) : fromSnapshot(pvc, source.getName());
            if (from.waiting() != null) {
                return Progress.waiting(from.reason(), from.waiting());
            }
            copy = start(pvc, from.path(), backing);
            if (!finishedSoon(copy)) {
                return Progress.COPYING;
            }
        } else if (!copy.isDone()) {
            return Progress.COPYING;
        }
        running.remove(backing);
        try {
            VolumeMover.Moved moved = copy.get();
            Files.move(Backings.partial(backing), backing);
            LOG.info(() -> "populated " + pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName() + " by "
                    + moved.method() + " (" + moved.dataBytes() + " data bytes, " + moved.millis() + " ms)");
            return Progress.DONE;
        } catch (java.util.concurrent.ExecutionException e) {
            return Progress.waiting("ProvisioningFailed", "copying the source failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Progress.COPYING;
        }
    }

    /**
     * Whether a copy just started is done within a moment: a reflink (milliseconds) then binds in
     * the same pass instead of the next one; a copy of data goes on in the background.
     */
    private static boolean finishedSoon(Future<VolumeMover.Moved> copy) {
        try {
            copy.get(QUICK_COPY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Future<VolumeMover.Moved> start(PersistentVolumeClaim pvc, Path from, Path backing) throws IOException {
        Path partial = Backings.partial(backing);
        Backings.delete(partial);
        boolean shares = reflinkSupported();
        Future<VolumeMover.Moved> copy = copies.submit(() -> VolumeMover.copy(from, partial, shares));
        running.put(backing, copy);
        LOG.info(() -> "populating " + pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName() + " from " + from
                + (shares ? " (reflink)" : " (sparse copy)"));
        return copy;
    }

    /** Whether this data root shares blocks (asked once). */
    boolean reflinkSupported() throws IOException {
        if (reflink == null) {
            reflink = VolumeMover.reflinkSupported(backings.volumes());
        }
        return reflink;
    }

    private record From(Path path, String reason, String waiting) {
    }

    /** A CSI clone: the source claim must be bound, of this driver's storage, in the same mode, not larger than the target. */
    private From fromClaim(PersistentVolumeClaim pvc, String name) {
        PersistentVolumeClaim source = client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).withName(name).get();
        if (source == null || source.getSpec().getVolumeName() == null || source.getStatus() == null
                || !"Bound".equals(source.getStatus().getPhase())) {
            return new From(null, "WaitingForSource", "source claim " + name + " is not bound yet");
        }
        if (LocalPathStorage.block(source) != LocalPathStorage.block(pvc)) {
            return new From(null, "ProvisioningFailed", "source claim " + name + " is " + mode(source) + ", this claim "
                    + mode(pvc) + ": a clone keeps the volume mode");
        }
        if (LocalPathStorage.requested(source) > LocalPathStorage.requested(pvc)) {
            return new From(null, "ProvisioningFailed", "requested size " + LocalPathStorage.requested(pvc)
                    + " is smaller than the source claim's " + LocalPathStorage.requested(source));
        }
        return new From(backings.volume(source.getSpec().getVolumeName(), LocalPathStorage.block(source)), null, null);
    }

    /** A restore: the VolumeSnapshot must be ready, its content this driver's, and the claim at least its restore size. */
    private From fromSnapshot(PersistentVolumeClaim pvc, String name) {
        VolumeSnapshot vs = client.resources(VolumeSnapshot.class).inNamespace(pvc.getMetadata().getNamespace()).withName(name).get();
        if (vs == null || vs.getStatus() == null || !Boolean.TRUE.equals(vs.getStatus().readyToUse)
                || vs.getStatus().boundVolumeSnapshotContentName == null) {
            return new From(null, "WaitingForSource", "VolumeSnapshot " + name + " is not ready to use yet");
        }
        VolumeSnapshotContent content = client.resources(VolumeSnapshotContent.class)
                .withName(vs.getStatus().boundVolumeSnapshotContentName).get();
        if (content == null || content.getStatus() == null || content.getStatus().snapshotHandle == null
                || !StorageClasses.PROVISIONER.equals(content.getSpec().driver)) {
            return new From(null, "ProvisioningFailed", "VolumeSnapshot " + name + " is not a snapshot of this driver");
        }
        long restoreSize = content.getStatus().restoreSize == null ? 0 : content.getStatus().restoreSize;
        if (restoreSize > LocalPathStorage.requested(pvc)) {
            return new From(null, "ProvisioningFailed", "requested size " + LocalPathStorage.requested(pvc)
                    + " is smaller than the snapshot's restore size " + restoreSize);
        }
        if ("Block".equals(content.getSpec().sourceVolumeMode) != LocalPathStorage.block(pvc)) {
            return new From(null, "ProvisioningFailed", "VolumeSnapshot " + name + " is of a " + content.getSpec().sourceVolumeMode
                    + " volume, this claim is " + mode(pvc));
        }
        return new From(Path.of(content.getStatus().snapshotHandle), null, null);
    }

    /** {@code dataSourceRef} when set, else {@code dataSource}. */
    static TypedObjectReference source(PersistentVolumeClaim pvc) {
        if (pvc.getSpec().getDataSourceRef() != null) {
            return pvc.getSpec().getDataSourceRef();
        }
        var ds = pvc.getSpec().getDataSource();
        return ds == null ? null : new TypedObjectReference(ds.getApiGroup(), ds.getKind(), ds.getName(), null);
    }

    private static String mode(PersistentVolumeClaim pvc) {
        return LocalPathStorage.block(pvc) ? "Block" : "Filesystem";
    }

    void close() {
        copies.shutdownNow();
    }
}
