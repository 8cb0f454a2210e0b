package dev.ferry.controllers.datavolume;

import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;

/**
 * What a finished worker Pod reported — its {@link TerminationMessage}, read from the Pod status —
 * with when it finished. A worker that died without one (OOM-killed, evicted) is a retryable failure.
 */
public record WorkerOutcome(boolean succeeded, String reason, String message, boolean retryable, Instant finishedAt,
        long sourceBytes) {

    /** The outcome of a Pod whose phase is Succeeded or Failed. */
    public static WorkerOutcome of(Pod pod) {
        ContainerStateTerminated terminated = terminated(pod);
        Instant finished = terminated != null && terminated.getFinishedAt() != null ? Instant.parse(terminated.getFinishedAt()) : null;
        TerminationMessage reported = TerminationMessage.parse(terminated == null ? null : terminated.getMessage());
        if (reported != null) {
            boolean ok = reported.succeeded();
            return new WorkerOutcome(ok, reported.reason() != null ? reported.reason() : ok ? "Completed" : "Error",
                    reported.message() == null ? "" : reported.message(), reported.mayRetry(), finished,
                    reported.sourceBytes() == null ? 0 : reported.sourceBytes());
        }
        boolean ok = "Succeeded".equals(pod.getStatus().getPhase());
        String why = terminated == null ? "the worker Pod ended without a termination message"
                : "the worker exited with code " + terminated.getExitCode()
                        + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")");
        return new WorkerOutcome(ok, ok ? "Completed" : "Error", why, !ok, finished, 0);
    }

    private static ContainerStateTerminated terminated(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
            if (status.getState() != null && status.getState().getTerminated() != null) {
                return status.getState().getTerminated();
            }
        }
        return null;
    }
}
