package dev.ferry.controllers.datavolume.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.controllers.clone.CloneTokens;
import dev.ferry.controllers.clone.k8s.CloneAuthority;
import dev.ferry.controllers.datavolume.DataVolumeDecision;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.testing.TestClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The DataVolume reconciler against the fabric8 CRUD mock API server, one phase transition at a time. */
@EnableKubernetesMockClient(crud = true)
class DataVolumeReconcilerTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final String NS = "vms";
    private final TestClock clock = new TestClock(Instant.parse("2026-11-22T10:00:00Z"));
    private HttpServer metrics;
    private final AtomicReference<String> metricsBody = new AtomicReference<>("");
    private DataVolumeReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        Cluster.installCrds(client);
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("standard")
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                .withProvisioner("example.com/local").withVolumeBindingMode("Immediate").build()).createOr(e -> e.update());
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("wffc").endMetadata()
                .withProvisioner("example.com/local").withVolumeBindingMode("WaitForFirstConsumer").build()).createOr(e -> e.update());
        metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metrics.createContext("/metrics", exchange -> {
            byte[] body = metricsBody.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();
        reconciler = newReconciler();
    }

    @AfterEach
    void tearDown() {
        metrics.stop(0);
        client.resources(DataVolume.class).inAnyNamespace().list().getItems().forEach(dv -> {
            dv.getMetadata().setFinalizers(List.of());
            client.resource(dv).update();
            client.resource(dv).delete();
        });
        client.pods().inAnyNamespace().delete();
        client.persistentVolumeClaims().inAnyNamespace().delete();
        client.resources(StorageProfile.class).delete();
        client.resources(DataSource.class).inAnyNamespace().delete();
        client.services().inAnyNamespace().delete();
        client.v1().events().inAnyNamespace().delete();
        for (String namespace : List.of(NS, "ferry-system")) {
            client.secrets().inNamespace(namespace).list().getItems().forEach(secret -> client.resource(secret).delete());
        }
    }

    private DataVolumeReconciler newReconciler() {
        WorkerSettings defaults = dev.ferry.controllers.testing.Settings.workers();
        WorkerSettings settings = new WorkerSettings(defaults.images(), "IfNotPresent", "100m", "256Mi", "384Mi",
                metrics.getAddress().getPort(), 107, "ferry-upload-server-tls", List.of());
        return new DataVolumeReconciler(client, settings, "ferry-system", new WorkerProgress(), clock);
    }

    @Test
    void anHttpImportGoesFromPendingToSucceeded() throws Exception {
        DataVolume dv = create("http-storage");
        reconcile(dv);
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(NS).withName("fedora").get();
        assertThat(pvc.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("DataVolume");
            assertThat(ref.getUid()).isEqualTo(dv.getMetadata().getUid());
        });
        assertThat(phase(dv)).isEqualTo(Phases.PENDING);
        assertThat(dv(dv).getMetadata().getFinalizers()).contains(DataVolumeReconciler.FINALIZER);

        reconcile(dv);
        Pod pod = pod("importer-fedora");
        assertThat(env(pod)).containsEntry("FERRY_SOURCE_URL", "https://download.example.org/fedora/Fedora-Cloud-Base-39.x86_64.qcow2")
                .containsEntry("FERRY_OWNER_UID", dv.getMetadata().getUid());
        assertThat(phase(dv)).isEqualTo(Phases.IMPORT_SCHEDULED);

        Cluster.running(client, pod, "127.0.0.1", true);
        metricsBody.set("kubevirt_cdi_import_progress_total{ownerUID=\"" + dv.getMetadata().getUid() + "\"} 42.5\n");
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.IMPORT_IN_PROGRESS);
        assertThat(dv(dv).getStatus().progress).isEqualTo("42.50%");
        assertThat(condition(dv, "Running").status).isEqualTo("True");

        Cluster.terminated(client, pod("importer-fedora"), true,
                "{\"outcome\":\"Succeeded\",\"reason\":\"Completed\",\"message\":\"Import complete\",\"format\":\"qcow2\"}",
                clock.instant());
        reconcile(dv);
        DataVolume done = dv(dv);
        assertThat(done.getStatus().phase).isEqualTo(Phases.SUCCEEDED);
        assertThat(done.getStatus().progress).isEqualTo("100.0%");
        assertThat(condition(dv, "Ready").status).isEqualTo("True");
        assertThat(client.pods().inNamespace(NS).withName("importer-fedora").get()).as("worker removed").isNull();
        assertThat(reasons()).contains("Pending", "ImportScheduled", "ImportInProgress", "ImportSucceeded");
    }

    @Test
    void statusIsWrittenOnlyWhenItChanges() throws Exception {
        DataVolume dv = create("http-storage");
        reconcile(dv);
        reconcile(dv);
        String version = dv(dv).getMetadata().getResourceVersion();
        clock.set(clock.instant().plusSeconds(30));
        reconcile(dv);
        reconcile(dv);
        assertThat(dv(dv).getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).hasSize(2);
    }

    @Test
    void aNonRetryableWorkerFailureFailsAtOnceWithItsMessage() throws Exception {
        DataVolume dv = create("http-storage");
        reconcile(dv);
        reconcile(dv);
        Cluster.terminated(client, pod("importer-fedora"), false, "{\"outcome\":\"Failed\",\"reason\":\"SourceNotFound\","
                + "\"message\":\"HTTP 404 from https://download.example.org/x: the image does not exist\",\"retryable\":false}", clock.instant());
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.FAILED);
        assertThat(condition(dv, "Ready").reason).isEqualTo("SourceNotFound");
        assertThat(condition(dv, "Ready").message).contains("HTTP 404");
        assertThat(dv(dv).getStatus().restartCount).isZero();
        reconcile(dv);
        assertThat(client.pods().inNamespace(NS).list().getItems()).as("no new worker after a terminal failure").hasSize(1);
    }

    @Test
    void aTransientFailureRestartsTheWorkerWithBackoff() throws Exception {
        DataVolume dv = create("http-storage");
        reconcile(dv);
        reconcile(dv);
        Cluster.terminated(client, pod("importer-fedora"), false, "{\"outcome\":\"Failed\",\"reason\":\"SourceUnavailable\","
                + "\"message\":\"HTTP 503\",\"retryable\":true}", clock.instant());
        Duration wait = reconcile(dv);
        assertThat(wait).isEqualTo(Duration.ofSeconds(10));
        assertThat(pod("importer-fedora")).as("kept until the backoff passes").isNotNull();
        assertThat(phase(dv)).isEqualTo(Phases.IMPORT_IN_PROGRESS);

        clock.set(clock.instant().plusSeconds(11));
        reconcile(dv);
        assertThat(client.pods().inNamespace(NS).withName("importer-fedora").get()).isNull();
        assertThat(dv(dv).getStatus().restartCount).isEqualTo(1);
        reconcile(dv);
        assertThat(pod("importer-fedora")).as("a new worker").isNotNull();

        Cluster.terminated(client, pod("importer-fedora"), false, "", clock.instant());
        assertThat(reconcile(dv)).as("second failure waits twice as long").isEqualTo(Duration.ofSeconds(20));
        assertThat(condition(dv, "Running").message).contains("the worker exited with code 1").contains("retrying in 20 s");
    }

    @Test
    void aRestartedControllerAdoptsTheRunningWorker() throws Exception {
        DataVolume dv = create("http-storage");
        reconcile(dv);
        reconcile(dv);
        Cluster.running(client, pod("importer-fedora"), "127.0.0.1", true);
        reconciler = newReconciler();
        reconcile(dv);
        reconcile(dv);
        assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(1);
        assertThat(phase(dv)).isEqualTo(Phases.IMPORT_IN_PROGRESS);
    }

    @Test
    void deletingMidImportStopsTheWorkerAndRemovesTheClaim() throws Exception {
        DataVolume dv = create("http-storage");
        reconcile(dv);
        reconcile(dv);
        Cluster.running(client, pod("importer-fedora"), "127.0.0.1", true);
        client.resource(dv(dv)).delete();
        assertThat(dv(dv)).as("held by the finalizer").isNotNull();
        reconcile(dv);
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.resources(DataVolume.class).inNamespace(NS).withName("fedora").get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "registry", "blank", "http-pvc"})
    void everyImportSourceGetsAnImporter(String example) throws Exception {
        DataVolume dv = create(example);
        reconcile(dv);
        reconcile(dv);
        Pod pod = pod("importer-" + dv.getMetadata().getName());
        assertThat(env(pod)).containsKey("FERRY_SOURCE_URL");
        assertThat(phase(dv)).isEqualTo(Phases.IMPORT_SCHEDULED);
    }

    @Test
    void aMissingUploadCertificateIsAConditionNotARetryLoop() throws Exception {
        DataVolume dv = create("upload");
        reconcile(dv);
        Duration again = reconcile(dv);
        DataVolume after = client.resources(DataVolume.class).inNamespace(NS).withName(dv.getMetadata().getName()).get();
        assertThat(after.getStatus().phase).isEqualTo(Phases.PENDING);
        assertThat(DataVolumeConditions.find(after.getStatus(), Phases.CONDITION_READY)).satisfies(ready -> {
            assertThat(ready.reason).isEqualTo("UploadTlsSecretMissing");
            assertThat(ready.message).contains("ferry-system/ferry-upload-server-tls").contains("does not exist");
        });
        assertThat(again).as("looked at again slowly: an admin creates the Secret").isEqualTo(Duration.ofMinutes(1));
        assertThat(client.v1().events().inNamespace(NS).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("UploadTlsSecretMissing"));

        client.secrets().inNamespace("ferry-system").resource(new SecretBuilder().withNewMetadata()
                .withName("ferry-upload-server-tls").withNamespace("ferry-system").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", "Y2VydA==").addToData("tls.key", "a2V5").build()).create();
        reconcile(dv);
        assertThat(phase(dv)).as("the Secret appeared: the upload goes on").isEqualTo(Phases.UPLOAD_SCHEDULED);
    }

    @Test
    void anUploadGetsAServerPodServiceAndCertificateThenIsReady() throws Exception {
        client.secrets().inNamespace("ferry-system").resource(new SecretBuilder().withNewMetadata()
                .withName("ferry-upload-server-tls").withNamespace("ferry-system").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", "Y2VydA==").addToData("tls.key", "a2V5").build()).create();
        DataVolume dv = create("upload");
        reconcile(dv);
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.UPLOAD_SCHEDULED);
        Pod pod = pod("cdi-upload-upload-datavolume");
        assertThat(env(pod)).containsEntry("FERRY_UPLOAD_TARGET", NS + "/upload-datavolume")
                .containsEntry("FERRY_TLS_CERT", "/var/run/ferry/tls/tls.crt");
        assertThat(client.services().inNamespace(NS).withName("cdi-upload-upload-datavolume").get().getSpec().getPorts())
                .singleElement().satisfies(port -> assertThat(port.getPort()).isEqualTo(443));
        assertThat(client.secrets().inNamespace(NS).withName("ferry-upload-server-tls").get().getData()).containsKey("tls.crt");

        Cluster.running(client, pod, "127.0.0.1", false);
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.UPLOAD_SCHEDULED);
        Cluster.running(client, pod("cdi-upload-upload-datavolume"), "127.0.0.1", true);
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.UPLOAD_READY);

        Cluster.terminated(client, pod("cdi-upload-upload-datavolume"), true, "{\"outcome\":\"Succeeded\"}", clock.instant());
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.SUCCEEDED);
        assertThat(client.services().inNamespace(NS).withName("cdi-upload-upload-datavolume").get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pvc-clone", "snapshot-clone"})
    void aCloneFromAnotherNamespaceWithoutATokenFailsClearly(String example) throws Exception {
        DataVolume dv = create(example);
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.FAILED);
        assertThat(condition(dv, "Ready").reason).isEqualTo("CloneUnauthorized");
        assertThat(condition(dv, "Ready").message).contains("golden-images", "no clone token", "admission webhook");
        assertThat(client.persistentVolumeClaims().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void aSourceRefIsResolvedThroughItsDataSourceAndTheAdmissionTokenIsSwappedForALongOne() throws Exception {
        DataVolume dv = create("sourceref");
        reconcile(dv);
        assertThat(condition(dv, "Ready").reason).isEqualTo("DataSourceNotFound");
        DataSource ds = new DataSource();
        ds.getMetadata().setName(dv.getSpec().sourceRef.name);
        ds.getMetadata().setNamespace(dv.getSpec().sourceRef.namespace != null ? dv.getSpec().sourceRef.namespace : NS);
        ds.setSpec(new DataSource.Spec());
        ds.getSpec().source = new DataSource.Source();
        ds.getSpec().source.pvc = new DataVolumeSource.ObjectRef();
        ds.getSpec().source.pvc.name = "golden-fedora";
        client.resource(ds).create();
        CloneTokens tokens = new CloneAuthority(client, "ferry-system", clock).tokens();
        String admission = tokens.admission(new CloneTokens.Grant("persistentvolumeclaims", "golden-images", "golden-fedora", NS,
                dv.getMetadata().getName(), null));
        dv = client.resources(DataVolume.class).inNamespace(NS).withName(dv.getMetadata().getName()).edit(current -> {
            current.getMetadata().getAnnotations().put(CloneNames.ANN_TOKEN, admission);
            return current;
        });
        reconcile(dv);
        DataVolume current = client.resource(dv).get();
        assertThat(condition(dv, "Ready").reason).as("the source claim does not exist yet").isEqualTo("CloneWithoutSource");
        assertThat(condition(dv, "Ready").message).contains("golden-fedora");
        String extended = current.getMetadata().getAnnotations().get(CloneNames.ANN_EXTENDED_TOKEN);
        assertThat(tokens.problem(extended, new CloneTokens.Grant("persistentvolumeclaims", "golden-images", "golden-fedora", NS,
                dv.getMetadata().getName(), current.getMetadata().getUid()))).isNull();

        clock.advance(Duration.ofMinutes(10));
        reconcile(dv);
        assertThat(condition(dv, "Ready").reason).as("the long token outlives the admission token").isEqualTo("CloneWithoutSource");
    }

    @Test
    void anAdmissionTokenDoesNotCoverASourceEditedInAfterTheDataVolumeWasAdmitted() throws Exception {
        DataVolume dv = Cluster.example("pvc-clone", NS);
        dv.getSpec().source.pvc.namespace = NS;
        dv = client.resource(dv).create();
        CloneTokens tokens = new CloneAuthority(client, "ferry-system", clock).tokens();
        String forged = tokens.admission(new CloneTokens.Grant("persistentvolumeclaims", "secrets-team", "db-disk", NS,
                dv.getMetadata().getName(), null));
        dv = client.resources(DataVolume.class).inNamespace(NS).withName(dv.getMetadata().getName()).edit(current -> {
            current.getSpec().source.pvc.namespace = "secrets-team";
            current.getSpec().source.pvc.name = "db-disk";
            current.getMetadata().getAnnotations().put(CloneNames.ANN_TOKEN, forged);
            return current;
        });
        assertThat(dv.getMetadata().getGeneration()).isEqualTo(2);
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.FAILED);
        assertThat(condition(dv, "Ready").reason).isEqualTo("CloneUnauthorized");
        assertThat(condition(dv, "Ready").message).contains("spec changed after it was admitted");
        assertThat(client.resource(dv).get().getMetadata().getAnnotations()).doesNotContainKey(CloneNames.ANN_EXTENDED_TOKEN);
    }

    @Test
    void aCsiCloneInOneNamespaceCreatesAClaimFromTheSourceAndSucceedsWhenItBinds() throws Exception {
        DataVolume dv = cloneOfGolden("csi-clone");

        reconcile(dv);
        assertThat(phase(dv)).as(condition(dv, "Ready").message).isEqualTo(Phases.CSI_CLONE_IN_PROGRESS);
        assertThat(client.resource(dv).get().getMetadata().getAnnotations()).containsEntry(CloneNames.ANN_CLONE_TYPE, "csi-clone");
        PersistentVolumeClaim target = client.persistentVolumeClaims().inNamespace(NS).withName("cloned-datavolume").get();
        assertThat(target.getSpec().getDataSourceRef().getName()).isEqualTo("golden");
        assertThat(target.getMetadata().getOwnerReferences()).extracting(o -> o.getKind()).containsExactly("DataVolume");

        target.getSpec().setVolumeName("pvc-1");
        target = client.resource(target).update();
        target.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        client.resource(target).updateStatus();
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.SUCCEEDED);
        assertThat(client.resource(dv).get().getStatus().progress).isEqualTo("100.0%");
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(e -> e.getReason()).contains("CloneSucceeded");
    }

    @Test
    void aHostAssistedCloneIssuesMutualTlsCertificatesAndRemovesThemWhenDone() throws Exception {
        DataVolume dv = cloneOfGolden("copy");
        reconcile(dv);
        PersistentVolumeClaim target = client.persistentVolumeClaims().inNamespace(NS).withName("cloned-datavolume").get();
        target.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        client.resource(target).updateStatus();
        reconcile(dv);

        Secret server = client.secrets().inNamespace(NS).withName("cdi-upload-cloned-datavolume-clone").get();
        Secret clientCert = client.secrets().inNamespace(NS).withName(dv.getMetadata().getUid() + "-source-pod").get();
        X509Certificate serverCert = certificate(server, "tls.crt");
        X509Certificate sourceCert = certificate(clientCert, "tls.crt");
        assertThat(sourceCert.getSubjectX500Principal().getName()).isEqualTo("CN=vms/golden-vms/cloned-datavolume");
        assertThat(serverCert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                .contains("cdi-upload-cloned-datavolume.vms.svc", "127.0.0.1");
        serverCert.verify(certificate(server, "ca.crt").getPublicKey());
        sourceCert.verify(certificate(clientCert, "ca.crt").getPublicKey());
        Pod upload = client.pods().inNamespace(NS).withName("cdi-upload-cloned-datavolume").get();
        assertThat(upload.getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null)
                .extracting(v -> v.getSecret().getSecretName()).containsExactly("cdi-upload-cloned-datavolume-clone");

        Cluster.terminated(client, upload, true, "{\"outcome\":\"Succeeded\",\"message\":\"Clone complete\"}", clock.instant());
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.SUCCEEDED);
        assertThat(client.secrets().inNamespace(NS).withName("cdi-upload-cloned-datavolume-clone").get()).isNull();
        assertThat(client.secrets().inNamespace(NS).withName(dv.getMetadata().getUid() + "-source-pod").get()).isNull();
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    /** A bound claim {@code golden} in the DataVolumes' namespace, class standard's profile asking for {@code strategy}, and a DataVolume cloning the claim. */
    private DataVolume cloneOfGolden(String strategy) throws Exception {
        PersistentVolumeClaim source = client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("golden")
                .withNamespace(NS).endMetadata().withNewSpec().withStorageClassName("standard").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
        source.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        client.resource(source).updateStatus();
        StorageProfile profile = new StorageProfile();
        profile.getMetadata().setName("standard");
        profile.setSpec(new StorageProfile.Spec());
        profile.getSpec().cloneStrategy = strategy;
        client.resource(profile).createOr(e -> e.update());
        DataVolume dv = Cluster.example("pvc-clone", NS);
        dv.getSpec().source.pvc.namespace = null;
        dv.getSpec().source.pvc.name = "golden";
        return client.resource(dv).create();
    }

    private static X509Certificate certificate(Secret secret, String key) throws Exception {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(secret.getData().get(key))));
    }

    @Test
    void waitForFirstConsumerHoldsTheWorkerUntilAPodUsesTheClaim() throws Exception {
        DataVolume dv = Cluster.example("http-storage", NS);
        dv.getMetadata().getAnnotations().remove(dev.ferry.api.cdi.v1beta1.Annotations.IMMEDIATE_BIND);
        dv.getSpec().storage.storageClassName = "wffc";
        dv = client.resource(dv).create();
        reconcile(dv);
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.WAIT_FOR_FIRST_CONSUMER);
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();

        client.resource(new PodBuilder().withNewMetadata().withName("virt-launcher-fedora").withNamespace(NS).endMetadata()
                .withNewSpec().addNewContainer().withName("compute").withImage("x").endContainer()
                .addNewVolume().withName("disk").withNewPersistentVolumeClaim().withClaimName("fedora").endPersistentVolumeClaim()
                .endVolume().endSpec().build()).create();
        reconcile(dv);
        assertThat(pod("importer-fedora")).isNotNull();
    }

    @Test
    void immediateBindSkipsTheWait() throws Exception {
        DataVolume dv = Cluster.example("http-storage", NS);
        dv.getSpec().storage.storageClassName = "wffc";
        dv = client.resource(dv).create();
        reconcile(dv);
        reconcile(dv);
        assertThat(pod("importer-fedora")).isNotNull();
    }

    @Test
    void aPrePopulatedClaimIsAdoptedAndNothingIsImported() throws Exception {
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("fedora").withNamespace(NS).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage",
                        new io.fabric8.kubernetes.api.model.Quantity("10Gi")).endResources().endSpec().build()).create();
        DataVolume dv = Cluster.example("http-storage", NS);
        dv.getMetadata().getAnnotations().put(dev.ferry.api.cdi.v1beta1.Annotations.PRE_POPULATED, "fedora");
        dv = client.resource(dv).create();
        reconcile(dv);
        assertThat(phase(dv)).isEqualTo(Phases.SUCCEEDED);
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void someoneElsesClaimIsNeverTakenOver() throws Exception {
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("fedora").withNamespace(NS).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").endSpec().build()).create();
        DataVolume dv = create("http-storage");
        reconcile(dv);
        reconcile(dv);
        assertThat(condition(dv, "Ready").reason).isEqualTo("ErrResourceExists");
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    private DataVolume create(String example) throws Exception {
        return client.resource(Cluster.example(example, NS)).create();
    }

    private Duration reconcile(DataVolume dv) {
        return reconciler.reconcile(NS, dv.getMetadata().getName());
    }

    private static DataVolume dv(DataVolume dv) {
        return client.resources(DataVolume.class).inNamespace(NS).withName(dv.getMetadata().getName()).get();
    }

    private static String phase(DataVolume dv) {
        return dv(dv).getStatus().phase;
    }

    private static DataVolumeCondition condition(DataVolume dv, String type) {
        return DataVolumeConditions.find(dv(dv).getStatus(), type);
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    private static Map<String, String> env(Pod pod) {
        return pod.getSpec().getContainers().get(0).getEnv().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    }

    private static List<String> reasons() {
        return client.v1().events().inNamespace(NS).list().getItems().stream().map(Event::getReason).toList();
    }
}
