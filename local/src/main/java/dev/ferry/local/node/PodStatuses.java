package dev.ferry.local.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The Pod statuses a kubelet writes, at the agent's clock: running, ready, terminated, back-off, pending. */
final class PodStatuses {
    private final KubernetesClient client;
    private final Clock clock;

    PodStatuses(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void running(Pod pod, Container container, boolean ready, int restartCount) {
        String now = clock.instant().toString();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").withHostIP("127.0.0.1").withStartTime(now)
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                        .withReady(ready).withRestartCount(restartCount).withNewState().withNewRunning().withStartedAt(now)
                        .endRunning().endState().build())
                .build());
        client.resource(pod).updateStatus();
    }

    /** The worker's port answers: Ready. */
    void ready(Pod pod) {
        pod.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True").build()));
        pod.getStatus().getContainerStatuses().get(0).setReady(true);
        client.resource(pod).updateStatus();
    }

    /** The process exited and is not restarted: Succeeded (exit 0) or Failed, with the termination message. */
    void terminated(Pod pod, Container container, int exit, String message) {
        pod.setStatus(new PodStatusBuilder(pod.getStatus()).withPhase(exit == 0 ? "Succeeded" : "Failed")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName())
                        .withImage(container.getImage()).withReady(false).withRestartCount(0).withNewState()
                        .withNewTerminated().withExitCode(exit).withReason(exit == 0 ? "Completed" : "Error")
                        .withMessage(message).withFinishedAt(clock.instant().toString()).endTerminated().endState().build())
                .build());
        client.resource(pod).updateStatus();
    }

    /** The process exited and restarts after {@code delay}: CrashLoopBackOff, the last exit kept. */
    void backOff(Pod pod, Container container, int exit, String message, int restartCount, Duration delay) {
        pod.setStatus(new PodStatusBuilder(pod.getStatus()).withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                        .withReady(false).withRestartCount(restartCount)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off " + delay.toSeconds() + "s restarting failed container").endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(exit).withMessage(message)
                        .withFinishedAt(clock.instant().toString()).endTerminated().endLastState().build())
                .build());
        client.resource(pod).updateStatus();
    }

    /** Not started, for {@code reason} (written once per reason). */
    void pending(Pod pod, String reason, String message) {
        boolean same = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> reason.equals(c.getReason()));
        if (same) {
            return;
        }
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
                .withType("PodScheduled").withStatus("False").withReason(reason).withMessage(message).build()).build());
        client.resource(pod).updateStatus();
    }

    static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
