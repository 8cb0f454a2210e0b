package dev.ferry.local.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.controllers.testing.TestClock;
import dev.ferry.local.storage.LocalPathStorage;
import dev.ferry.worker.WorkerKind;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local node as a kubelet, on a clock the test moves: real processes (shell commands standing
 * in for workers, so each starts in milliseconds), the kubelet's restart back-off and grace period
 * without waiting for them.
 */
@EnableKubernetesMockClient(crud = true)
class LocalNodeAgentTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    private LocalNodeAgent agent;

    @BeforeEach
    void setUp() throws Exception {
        WorkerProcesses shell = new WorkerProcesses(kind -> switch (kind) {
            case IMPORTER -> List.of("sh", "-c", "exit 1");
            case UPLOAD_SERVER -> List.of("sh", "-c", "trap '' TERM; sleep 60");
            default -> null;
        });
        agent = new LocalNodeAgent(client, new LocalPathStorage(client, dir, clock), dir, shell, clock, (target, address) -> { });
    }

    @AfterEach
    void tearDown() {
        agent.close();
        client.pods().inAnyNamespace().delete();
    }

    @Test
    void failingContainersRestartWithTheKubeletsBackOffAndUnknownImagesStayPending() throws Exception {
        client.resource(pod("flaky", WorkerKind.IMPORTER, "OnFailure")).create();
        client.resource(new PodBuilder().withNewMetadata().withName("nginx").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.27").endContainer().endSpec().build()).create();

        syncUntil(() -> restarts("flaky") == 1);
        ContainerStatus waiting = status("flaky");
        assertThat(waiting.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(waiting.getState().getWaiting().getMessage()).isEqualTo("back-off 10s restarting failed container");
        assertThat(waiting.getLastState().getTerminated().getExitCode()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(9));
        agent.sync();
        agent.sync();
        assertThat(restarts("flaky")).as("not before the back-off ends").isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        syncUntil(() -> restarts("flaky") == 2);
        assertThat(status("flaky").getState().getWaiting().getMessage()).isEqualTo("back-off 20s restarting failed container");
        clock.advance(Duration.ofSeconds(21));
        syncUntil(() -> restarts("flaky") == 3);
        assertThat(status("flaky").getState().getWaiting().getMessage()).isEqualTo("back-off 40s restarting failed container");

        var nginx = client.pods().inNamespace("default").withName("nginx").get().getStatus();
        assertThat(nginx.getPhase()).isEqualTo("Pending");
        assertThat(nginx.getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("UnknownImage"));
    }

    @Test
    void aDeletedPodGetsItsGracePeriodThenItsProcessIsKilledAndThePodGoes() throws Exception {
        Pod created = client.resource(pod("stubborn", WorkerKind.UPLOAD_SERVER, "Never")).create();
        agent.sync();
        assertThat(client.pods().inNamespace("default").withName("stubborn").get().getMetadata().getFinalizers())
                .contains(LocalNodeAgent.FINALIZER);
        long pid = ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("").contains("sleep 60"))
                .findFirst().map(ProcessHandle::pid).orElse(-1L);

        client.resource(created).withGracePeriod(30).delete();
        agent.sync();
        agent.sync();
        assertThat(client.pods().inNamespace("default").withName("stubborn").get()).as("held while the process may still stop").isNotNull();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("it ignores SIGTERM").contains(true);

        clock.advance(Duration.ofSeconds(31));
        agent.sync();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        await().atMost(Duration.ofSeconds(5)).until(() -> client.pods().inNamespace("default").withName("stubborn").get() == null);
    }

    private static Pod pod(String name, WorkerKind kind, String restartPolicy) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(30L).addNewContainer()
                .withName(kind.workerName()).withImage("ferry/ferry:test").withArgs(kind.args()).endContainer().endSpec().build();
    }

    /** Runs the agent until {@code done} (the shell workers exit within milliseconds). */
    private void syncUntil(java.util.concurrent.Callable<Boolean> done) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            agent.sync();
            return done.call();
        });
    }

    private static ContainerStatus status(String pod) {
        return client.pods().inNamespace("default").withName(pod).get().getStatus().getContainerStatuses().get(0);
    }

    private static int restarts(String pod) {
        var status = client.pods().inNamespace("default").withName(pod).get().getStatus();
        return status == null || status.getContainerStatuses() == null || status.getContainerStatuses().isEmpty() ? 0
                : status.getContainerStatuses().get(0).getRestartCount();
    }
}
