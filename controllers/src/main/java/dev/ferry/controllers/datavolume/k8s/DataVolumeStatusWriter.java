package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.datavolume.Plan;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Objects;
import java.util.logging.Logger;

/** Writes a plan's status only when it changed, and its event only when the phase or the Ready reason changed. */
public final class DataVolumeStatusWriter {
    private static final Logger LOG = Logger.getLogger(DataVolumeStatusWriter.class.getName());
    private final KubernetesClient client;
    private final EventRecorder events;
    private final Clock clock;

    public DataVolumeStatusWriter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.events = new EventRecorder(client, clock);
        this.clock = clock;
    }

    void write(DataVolume dv, Plan plan) {
        write(dv, plan.status(), plan.event());
    }

    public void write(DataVolume dv, DataVolumeStatus status, Event event) {
        DataVolumeStatus current = dv.getStatus();
        if (!DataVolumeConditions.same(status, current)) {
            dv.setStatus(DataVolumeConditions.stamp(status, current, clock.instant()));
            client.resource(dv).updateStatus();
            LOG.fine(() -> dv.getMetadata().getNamespace() + "/" + dv.getMetadata().getName() + ": phase " + status.phase
                    + " progress " + status.progress);
        }
        if (event != null && phaseOrReasonChanged(current, status)) {
            events.record(dv, event, String.valueOf(status.restartCount == null ? 0 : status.restartCount));
        }
    }

    private static boolean phaseOrReasonChanged(DataVolumeStatus before, DataVolumeStatus after) {
        if (before == null) {
            return true;
        }
        DataVolumeCondition readyBefore = DataVolumeConditions.find(before, Phases.CONDITION_READY);
        DataVolumeCondition readyAfter = DataVolumeConditions.find(after, Phases.CONDITION_READY);
        return !Objects.equals(before.phase, after.phase) || !Objects.equals(before.restartCount, after.restartCount)
                || readyBefore == null || readyAfter == null || !Objects.equals(readyBefore.reason, readyAfter.reason);
    }
}
