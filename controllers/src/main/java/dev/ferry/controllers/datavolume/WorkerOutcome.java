package dev.ferry.controllers.datavolume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.time.Instant;

/**
 * What a finished worker reported in its termination message (one JSON line, the worker
 * contract), with when it finished. A worker that died without one (OOM-killed, evicted) is a
 * retryable failure.
 */
public record WorkerOutcome(boolean succeeded, String reason, String message, boolean retryable, Instant finishedAt,
        long sourceBytes) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The outcome of a Pod whose phase is Succeeded or Failed. */
    public static WorkerOutcome of(Pod pod) {
        ContainerStateTerminated terminated = terminated(pod);
        Instant finished = terminated != null && terminated.getFinishedAt() != null
                ? Instant.parse(terminated.getFinishedAt()) : null;
        String text = terminated == null ? null : terminated.getMessage();
        if (text != null && !text.isBlank()) {
            try {
                JsonNode json = JSON.readTree(text.strip().lines().reduce((a, b) -> b).orElse(""));
                boolean ok = "Succeeded".equals(json.path("outcome").asText());
                return new WorkerOutcome(ok, json.path("reason").asText(ok ? "Completed" : "Error"),
                        json.path("message").asText(""), !ok && json.path("retryable").asBoolean(true), finished,
                        json.path("sourceBytes").asLong(0));
            } catch (IOException | RuntimeException e) {
                // not our JSON: fall through to the Pod's own view
            }
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
