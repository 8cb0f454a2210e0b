package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Duration;
import java.util.List;

/**
 * What a reconcile decided: objects to create, whether the worker Pod goes, the status to
 * report, an event when something changed, and when to look again.
 *
 * @param createPvc the claim to create, or null
 * @param createWorker the worker Pod (and, for uploads, its Service), or empty
 * @param deleteWorker whether to delete the worker Pod (finished, or failed and due for a restart)
 * @param status the desired status (timestamps are filled in when written)
 * @param event the event to record, or null
 * @param requeueAfter when to reconcile again without a change, or null
 */
public record Plan(PersistentVolumeClaim createPvc, List<HasMetadata> createWorker, boolean deleteWorker,
        DataVolumeStatus status, Event event, Duration requeueAfter) {
}
