package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.local.app.LocalMode;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on local mode with real workers (separate JVM processes started by the local node
 * agent): import over HTTP, a failing source, an upload with `ferry image-upload`, delete
 * mid-import, restart mid-import. Disks are compared with qemu-img.
 */
class LocalModeTest {
    @TempDir
    Path dir;
    private HttpServer http;
    private final AtomicLong throttle = new AtomicLong();
    private LocalMode local;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("qemu-img");
        http = StaticFiles.serve(dir.resolve("www"), throttle::get);
        Files.createDirectories(dir.resolve("www"));
        local = new LocalMode(dir.resolve("root"), 0, 0);
    }

    @AfterEach
    void tearDown() {
        if (local != null) {
            local.close();
        }
        http.stop(0);
    }

    @Test
    void anHttpImportSucceedsAndTheDiskIsTheImage() throws Exception {
        Path image = Images.scattered(dir.resolve("www"), "fedora.qcow2", "");
        apply("fedora", "http://127.0.0.1:" + http.getAddress().getPort() + "/fedora.qcow2");
        awaitPhase("fedora", "Succeeded", Duration.ofSeconds(90));
        DataVolume dv = local.client().resources(DataVolume.class).inNamespace("default").withName("fedora").get();
        assertThat(dv.getStatus().progress).isEqualTo("100.0%");
        assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk("fedora").toString(), image.toString())
                .exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("root/logs/default/importer-fedora.log"))).contains("imported");
    }

    @Test
    void aMissingImageFailsWithTheWorkersReason() throws Exception {
        apply("missing", "http://127.0.0.1:" + http.getAddress().getPort() + "/nope.qcow2");
        awaitPhase("missing", "Failed", Duration.ofSeconds(60));
        DataVolume dv = local.client().resources(DataVolume.class).inNamespace("default").withName("missing").get();
        assertThat(dv.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Ready");
            assertThat(c.reason).isEqualTo("SourceNotFound");
            assertThat(c.message).contains("404");
        });
    }

    @Test
    void anUploadThroughTheProxyWithImageUpload() throws Exception {
        Path image = Images.scattered(dir, "upload.qcow2", "");
        int exit = FerryTestAccess.run("image-upload", "dv", "uploaded", "--size", "100Mi", "--image-path", image.toString(),
                "--kubeconfig", local.kubeconfig().toString(), "--wait-secs", "60", "--no-progress");
        assertThat(exit).isZero();
        awaitPhase("uploaded", "Succeeded", Duration.ofSeconds(30));
        assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk("uploaded").toString(), image.toString())
                .exitCode()).isZero();
    }

    @Test
    void deletingMidImportKillsTheWorkerAndFreesTheVolume() throws Exception {
        Images.random(dir.resolve("www"), "slow.qcow2", "", 16);
        throttle.set(200);
        apply("slow", "http://127.0.0.1:" + http.getAddress().getPort() + "/slow.qcow2");
        awaitPhase("slow", "ImportInProgress", Duration.ofSeconds(60));
        Path volume = disk("slow").getParent();
        local.client().resources(DataVolume.class).inNamespace("default").withName("slow").delete();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                local.client().resources(DataVolume.class).inNamespace("default").withName("slow").get() == null
                        && local.client().pods().inNamespace("default").withName("importer-slow").get() == null
                        && local.client().persistentVolumes().list().getItems().isEmpty()
                        && !Files.exists(volume));
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a))
                .orElse("").contains("ImporterMain") && p.info().arguments().map(a -> String.join(" ", a)).orElse("")
                .contains(dir.toString())).count()).isZero();
    }

    @Test
    void aRestartMidImportCompletesTheImport() throws Exception {
        Path image = Images.random(dir.resolve("www"), "resume.qcow2", "", 16);
        throttle.set(100);
        apply("resume", "http://127.0.0.1:" + http.getAddress().getPort() + "/resume.qcow2");
        awaitPhase("resume", "ImportInProgress", Duration.ofSeconds(60));
        local.close();
        throttle.set(0);
        local = new LocalMode(dir.resolve("root"), 0, 0);
        awaitPhase("resume", "Succeeded", Duration.ofSeconds(120));
        DataVolume dv = local.client().resources(DataVolume.class).inNamespace("default").withName("resume").get();
        assertThat(dv.getStatus().restartCount).isEqualTo(1);
        assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk("resume").toString(), image.toString())
                .exitCode()).isZero();
    }

    @Test
    void generateNameGetsAFiveCharacterSuffixAsKubeApiserverGivesIt() {
        var created = local.client().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withGenerateName("settings-").withNamespace("default").endMetadata().addToData("a", "b").build()).create();
        assertThat(created.getMetadata().getName()).matches("settings-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(local.client().configMaps().inNamespace("default").withName(created.getMetadata().getName()).get().getData())
                .containsEntry("a", "b");
    }

    @Test
    void aNamespaceAppliesAndClusterScopedKindsShowTheirState() throws Exception {
        Path yaml = Files.writeString(dir.resolve("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-x}\n");
        FerryTestAccess.Result applied = FerryTestAccess.capture(local.kubeconfig(), "apply", "-f", yaml.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("namespace/team-x created");
        assertThat(local.client().namespaces().withName("team-x").get()).isNotNull();
        assertThat(FerryTestAccess.capture(local.kubeconfig(), "get", "ns").out()).containsPattern("team-x\\s+Active");
        assertThat(FerryTestAccess.capture(local.kubeconfig(), "get", "sc").out())
                .containsPattern("local-path\\s+ferry.kubevirt.dev/local-path \\(default\\)");
        // a request the mock server's handlers cannot take is answered with a Status, not left to time out
        var refused = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                local.client().getMasterUrl() + "api/v1/namespaces")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"}}"))
                .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"kind\":\"Status\"");
    }

    @Test
    void kubevirtV1alpha3IsServedAsV1AndAnUnknownKindSaysWhatIsServed() throws Exception {
        // KubeVirt's examples/vm-cirros.yaml still says v1alpha3; a halted VM needs nothing to run
        Path old = Files.writeString(dir.resolve("old.yaml"), """
                apiVersion: kubevirt.io/v1alpha3
                kind: VirtualMachine
                metadata: {name: old-style}
                spec:
                  running: false
                  template:
                    spec:
                      domain:
                        devices: {}
                        resources: {requests: {memory: 64Mi}}
                """);
        FerryTestAccess.Result applied = FerryTestAccess.capture(local.kubeconfig(), "apply", "-f", old.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        var vm = local.client().resources(dev.ferry.api.kubevirt.v1.VirtualMachine.class).inNamespace("default").withName("old-style").get();
        assertThat(vm).as("stored as v1, where the controllers look").isNotNull();
        assertThat(vm.getApiVersion()).isEqualTo("kubevirt.io/v1");
        var v1alpha3 = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                local.client().getMasterUrl() + "apis/kubevirt.io/v1alpha3/namespaces/default/virtualmachines/old-style")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(v1alpha3.statusCode()).as("read back through v1alpha3").isEqualTo(200);

        Path widget = Files.writeString(dir.resolve("widget.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
        FerryTestAccess.Result refused = FerryTestAccess.capture(local.kubeconfig(), "apply", "-f", widget.toString());
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("example.com/v1 Widget (w) is not served here; served: ")
                .contains("cdi.kubevirt.io/v1beta1 DataVolume").contains("kubevirt.io/v1 VirtualMachine");
    }

    private void apply(String name, String url) {
        DataVolume dv = Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata:
                  name: %s
                  namespace: default
                spec:
                  source:
                    http:
                      url: "%s"
                  storage:
                    resources:
                      requests:
                        storage: 64Mi
                """.formatted(name, url), DataVolume.class);
        local.client().resource(dv).create();
    }

    private void awaitPhase(String name, String phase, Duration timeout) {
        KubernetesClient client = local.client();
        try {
            awaitPhase0(client, name, phase, timeout);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            DataVolume dv = client.resources(DataVolume.class).inNamespace("default").withName(name).get();
            throw new AssertionError(name + " did not reach " + phase + ": " + Serialization.asYaml(dv)
                    + Serialization.asYaml(client.pods().inNamespace("default").list().getItems()), e);
        }
    }

    private void awaitPhase0(KubernetesClient client, String name, String phase, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            DataVolume dv = client.resources(DataVolume.class).inNamespace("default").withName(name).get();
            return dv != null && dv.getStatus() != null && phase.equals(dv.getStatus().phase);
        });
    }

    /** The disk file of a DataVolume's claim on the local-path volume. */
    private Path disk(String name) {
        String volume = local.client().persistentVolumeClaims().inNamespace("default").withName(name).get().getSpec().getVolumeName();
        PersistentVolume pv = local.client().persistentVolumes().withName(volume).get();
        return Path.of(pv.getSpec().getLocal().getPath()).resolve("disk.img");
    }
}
