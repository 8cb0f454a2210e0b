package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.Observed;
import dev.ferry.controllers.datavolume.Plan;
import dev.ferry.controllers.datavolume.WorkerOutcome;
import java.util.concurrent.atomic.AtomicLong;

/** What finished workers add up to, for the controller's metrics: source bytes imported, and restarts after transient failures. */
public final class DataVolumeCounters {
    private final AtomicLong importedSourceBytes = new AtomicLong();
    private final AtomicLong workerRestarts = new AtomicLong();

    /** A plan that removes a finished worker: its bytes when it succeeded, a restart when it did not. */
    void count(Observed observed, Plan plan) {
        if (!plan.deleteWorker() || observed.worker() == null) {
            return;
        }
        boolean succeeded = Phases.SUCCEEDED.equals(plan.status().phase);
        boolean before = observed.dv().getStatus() != null && Phases.SUCCEEDED.equals(observed.dv().getStatus().phase);
        if (succeeded && !before) {
            importedSourceBytes.addAndGet(WorkerOutcome.of(observed.worker()).sourceBytes());
        } else if (!succeeded) {
            workerRestarts.incrementAndGet();
        }
    }

    public long importedSourceBytes() {
        return importedSourceBytes.get();
    }

    public long workerRestarts() {
        return workerRestarts.get();
    }
}
