package dev.ferry.controllers.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.testing.Settings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two controller replicas on one API server: only the lease holder acts; the other takes over when it leaves. */
@EnableKubernetesMockClient(crud = true)
class ControllerRuntimeTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void onlyTheLeaderReconcilesAndTheOtherTakesOver() throws Exception {
        Cluster.installCrds(client);
        WorkerSettings settings = Settings.workers().withUploadTlsSecret(null);
        AtomicInteger lost = new AtomicInteger();
        ControllerRuntime first = new ControllerRuntime(client, settings, Settings.vms(), "ferry-system", "replica-a",
                Duration.ofSeconds(3), lost::incrementAndGet);
        await().atMost(Duration.ofSeconds(20)).until(first::leading);
        ControllerRuntime second = new ControllerRuntime(client, settings, Settings.vms(), "ferry-system", "replica-b",
                Duration.ofSeconds(3), lost::incrementAndGet);
        try (ControllerMetrics metrics = new ControllerMetrics(0, first.controllers())) {
            DataVolume dv = client.resource(Cluster.example("http-storage", "vms")).create();
            await().atMost(Duration.ofSeconds(20)).until(() -> pod("importer-fedora") != null);
            assertThat(second.leading()).isFalse();

            Cluster.terminated(client, pod("importer-fedora"), true,
                    "{\"outcome\":\"Succeeded\",\"message\":\"Import complete\",\"sourceBytes\":1048576}", Instant.now());
            await().atMost(Duration.ofSeconds(20)).until(() -> Phases.SUCCEEDED.equals(phase("fedora")));
            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(scrape).contains("kubevirt_cdi_datavolume_pending").contains("ferry_imported_source_bytes_total 1048576");

            // a DataImportCron with no digest yet is outdated
            try (var in = ControllerRuntimeTest.class.getResourceAsStream("/cdi-examples/dataimportcron.yaml")) {
                client.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in,
                        dev.ferry.api.cdi.v1beta1.DataImportCron.class)).create();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body()
                    .contains("kubevirt_cdi_dataimportcron_outdated{cron_name=\"fedora-image-cron\",namespace=\"golden\",pending=\"false\"} 1"));
            assertThat(dv.getMetadata().getName()).isEqualTo("fedora");
        }

        first.close();
        await().atMost(Duration.ofSeconds(30)).until(second::leading);
        DataVolume blank = client.resource(Cluster.example("blank", "vms")).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> pod("importer-" + blank.getMetadata().getName()) != null);
        assertThat(lost.get()).as("the first replica was told it lost the lease").isEqualTo(1);
        second.close();
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace("vms").withName(name).get();
    }

    private static String phase(String name) {
        DataVolume dv = client.resources(DataVolume.class).inNamespace("vms").withName(name).get();
        return dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
    }
}
