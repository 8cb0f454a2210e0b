package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.datavolume.Plan;
import dev.ferry.controllers.runtime.k8s.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Objects;
import java.util.logging.Logger;

/** Writes a plan's status only when it changed, and its event only when the phase or the Ready reason changed. */
final class DataVolumeStatusWriter {
    private static final Logger LOG = Logger.getLogger(DataVolumeStatusWriter.class.getName());
    private final KubernetesClient client;
    private final EventRecorder events;
    private final Clock clock;

    DataVolumeStatusWriter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.events = new EventRecorder(client, clock);
        this.clock = clock;
    }

    void write(DataVolume dv, Plan plan) {
        DataVolumeStatus current = dv.getStatus();
        if (!DataVolumeConditions.same(plan.status(), current)) {
            dv.setStatus(DataVolumeConditions.stamp(plan.status(), current, clock.instant()));
            client.resource(dv).updateStatus();
            LOG.fine(() -> dv.getMetadata().getNamespace() + "/" + dv.getMetadata().getName() + ": phase " + plan.status().phase
                    + " progress " + plan.status().progress);
        }
        if (plan.event() != null && phaseOrReasonChanged(current, plan.status())) {
            events.record(dv, plan.event(), String.valueOf(plan.status().restartCount == null ? 0 : plan.status().restartCount));
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
