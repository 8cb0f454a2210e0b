package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.local.app.LocalMode;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients nobody here wrote, against local mode: kubectl 1.32 and the official Python client
 * (python3-kubernetes). A DataVolume import driven by kubectl alone — discovery, apply, CDI's
 * columns, wait, logs, describe, explain, delete — and by the Python client; core kinds through
 * kubectl's typed (protobuf) and strategic-merge paths; namespaces that empty themselves when
 * deleted.
 */
class LocalKubectlTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;
    private HttpServer http;
    private LocalMode local;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("kubectl");
        Tools.require("qemu-img");
        http = StaticFiles.serve(dir.resolve("www"), () -> 0);
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
    void kubectlAloneImportsADataVolume() throws Exception {
        assertThat(kubectl("version").out()).contains("Server Version: v1.32.0");
        assertThat(kubectl("api-resources").out())
                .containsPattern("datavolumes\\s+dv,dvs\\s+cdi.kubevirt.io/v1beta1\\s+true\\s+DataVolume")
                .containsPattern("virtualmachines\\s+vm,vms\\s+kubevirt.io/v1\\s+true\\s+VirtualMachine")
                .containsPattern("virtualmachineinstances\\s+vmi,vmis\\s+kubevirt.io/v1\\s+true\\s+VirtualMachineInstance")
                .containsPattern("volumesnapshots\\s+vs\\s+snapshot.storage.k8s.io/v1\\s+true\\s+VolumeSnapshot")
                .containsPattern("pods\\s+po\\s+v1\\s+true\\s+Pod");

        Path image = Images.scattered(dir.resolve("www"), "fedora.qcow2", "");
        Path yaml = dir.resolve("dv.yaml");
        Files.writeString(yaml, """
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata:
                  name: fedora
                  annotations:
                    cdi.kubevirt.io/storage.pod.retainAfterCompletion: "true"
                spec:
                  source:
                    http:
                      url: http://127.0.0.1:%d/fedora.qcow2
                  storage:
                    resources:
                      requests:
                        storage: 1Gi
                """.formatted(http.getAddress().getPort()));
        assertThat(kubectl("apply", "-f", yaml.toString()).ok()).contains("datavolume.cdi.kubevirt.io/fedora created");
        assertThat(kubectl("get", "dv", "fedora").ok()).containsPattern("NAME\\s+PHASE\\s+PROGRESS\\s+RESTARTS\\s+AGE");
        kubectl("wait", "--for=condition=Ready", "dv/fedora", "--timeout=120s").ok();
        assertThat(kubectl("get", "dv").ok()).containsPattern("fedora\\s+Succeeded\\s+100.0%\\s+0\\s+\\d+s");
        assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk("default", "fedora").toString(), image.toString())
                .exitCode()).isZero();
        assertThat(kubectl("logs", "importer-fedora", "--tail=1").ok()).contains("\"outcome\":\"Succeeded\"");
        assertThat(kubectl("logs", "-f", "importer-fedora").ok()).as("follow ends with the Pod").contains("\"outcome\":\"Succeeded\"");
        assertThat(kubectl("describe", "dv", "fedora").ok()).contains("ImportSucceeded").contains("Successfully populated fedora");
        assertThat(kubectl("get", "all").ok()).contains("pod/importer-fedora").contains("datavolume.cdi.kubevirt.io/fedora");
        assertThat(kubectl("get", "pvc", "fedora").ok()).containsPattern("fedora\\s+Bound\\s+pvc-\\S+\\s+1Gi\\s+RWO\\s+local-path");
        assertThat(kubectl("explain", "datavolume.spec.source").ok()).contains("KIND:       DataVolume").contains("http");

        // kubectl apply again: unchanged; a field nobody declared is refused as kube-apiserver's strict validation does
        assertThat(kubectl("apply", "-f", yaml.toString()).ok()).contains("datavolume.cdi.kubevirt.io/fedora unchanged");
        Files.writeString(yaml, Files.readString(yaml).replace("    http:", "    htttp: {}\n    http:"));
        assertThat(kubectl("apply", "-f", yaml.toString()).failed()).contains("unknown field \"spec.source.htttp\"");

        assertThat(kubectl("delete", "dv", "fedora").ok()).contains("datavolume.cdi.kubevirt.io \"fedora\" deleted");
        kubectl("wait", "--for=delete", "pvc/fedora", "--timeout=60s").ok();
        assertThat(kubectl("get", "dv", "fedora").failed()).contains("NotFound").contains("datavolumes.cdi.kubevirt.io \"fedora\" not found");
    }

    @Test
    void coreKindsNamespacesAndWatches() throws Exception {
        // typed clients send protobuf: kubectl create namespace / configmap / secret
        assertThat(kubectl("create", "namespace", "team-x").ok()).contains("namespace/team-x created");
        assertThat(kubectl("get", "ns", "team-x").ok()).containsPattern("team-x\\s+Active");
        Files.writeString(dir.resolve("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-y\n");
        assertThat(kubectl("apply", "-f", dir.resolve("ns.yaml").toString()).ok()).contains("namespace/team-y created");
        assertThat(kubectl("apply", "-f", dir.resolve("ns.yaml").toString()).ok()).contains("namespace/team-y unchanged");
        assertThat(kubectl("get", "ns").ok()).containsPattern("default\\s+Active").containsPattern("kube-system\\s+Active")
                .containsPattern("team-y\\s+Active");
        kubectl("create", "configmap", "c1", "-n", "team-x", "--from-literal=k=v").ok();
        assertThat(kubectl("create", "configmap", "c1", "-n", "team-x").failed())
                .contains("configmaps \"c1\" already exists");
        kubectl("create", "secret", "generic", "s1", "-n", "team-x", "--from-literal=p=q").ok();
        assertThat(kubectl("get", "secret", "s1", "-n", "team-x", "-o", "jsonpath={.type} {.data.p}").ok()).isEqualTo("Opaque cQ==");

        // client-side apply of a core kind: a strategic merge patch the second time
        Path yaml = dir.resolve("core.yaml");
        Files.writeString(yaml, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  namespace: team-x
                  labels: {app: demo}
                data: {a: "1", b: "2"}
                """);
        kubectl("apply", "-f", yaml.toString()).ok();
        Files.writeString(yaml, Files.readString(yaml).replace("b: \"2\"", "c: \"3\""));
        assertThat(kubectl("apply", "-f", yaml.toString()).ok()).contains("configmap/settings configured");
        assertThat(kubectl("get", "cm", "settings", "-n", "team-x", "-o", "jsonpath={.data}").ok()).isEqualTo("{\"a\":\"1\",\"c\":\"3\"}");
        kubectl("patch", "cm", "settings", "-n", "team-x", "--type", "merge", "-p", "{\"data\":{\"d\":\"4\"}}").ok();
        kubectl("patch", "cm", "settings", "-n", "team-x", "--type", "json", "-p", "[{\"op\":\"remove\",\"path\":\"/data/a\"}]").ok();
        kubectl("patch", "cm", "settings", "-n", "team-x", "--dry-run=server", "-p", "{\"data\":{\"z\":\"9\"}}").ok();
        assertThat(kubectl("get", "cm", "settings", "-n", "team-x", "-o", "jsonpath={.data}").ok()).isEqualTo("{\"c\":\"3\",\"d\":\"4\"}");
        assertThat(kubectl("get", "cm", "-n", "team-x", "-l", "app in (demo,other)", "-o", "name").ok().strip())
                .isEqualTo("configmap/settings");
        assertThat(kubectl("get", "cm", "-n", "team-x", "-l", "app notin (demo)", "-o", "name").ok()).doesNotContain("settings");

        // a watch sees what happens after it starts
        Background watch = background("get", "cm", "-n", "team-x", "-w", "--output-watch-events", "-o",
                "custom-columns=EVENT:.type,NAME:.object.metadata.name", "--request-timeout=60s");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> watch.output().contains("settings"));
            kubectl("create", "configmap", "later", "-n", "team-x").ok();
            await().atMost(Duration.ofSeconds(20)).until(() -> watch.output().contains("later"));
            kubectl("delete", "configmap", "later", "-n", "team-x").ok();
            await().atMost(Duration.ofSeconds(20)).until(() -> watch.output().matches("(?s).*DELETED\\s+later.*"));
        } finally {
            watch.process().destroy();
        }

        // deleting a namespace deletes what is in it, then the namespace
        Files.writeString(dir.resolve("blank.yaml"), """
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata:
                  name: scratch
                  namespace: team-x
                spec:
                  source:
                    blank: {}
                  storage:
                    resources:
                      requests:
                        storage: 64Mi
                """);
        kubectl("apply", "-f", dir.resolve("blank.yaml").toString()).ok();
        kubectl("wait", "-n", "team-x", "--for=jsonpath={.status.phase}=Succeeded", "dv/scratch", "--timeout=60s").ok();
        String volume = kubectl("get", "pvc", "scratch", "-n", "team-x", "-o", "jsonpath={.spec.volumeName}").ok();
        assertThat(kubectl("delete", "namespace", "team-x", "--timeout=60s").ok()).contains("namespace \"team-x\" deleted");
        assertThat(kubectl("get", "ns", "team-x").failed()).contains("namespaces \"team-x\" not found");
        assertThat(kubectl("get", "pv", volume).failed()).contains("NotFound");
        assertThat(kubectl("get", "dv,pvc,cm,secret", "-n", "team-x", "-o", "name").ok()).isBlank();
    }

    @Test
    void thePythonClientCreatesAndWatchesADataVolume() throws Exception {
        Tools.require(PYTHON);
        Path script = dir.resolve("client.py");
        Files.writeString(script, """
                from kubernetes import client, config, watch
                config.load_kube_config()
                api = client.CustomObjectsApi()
                api.create_namespaced_custom_object('cdi.kubevirt.io', 'v1beta1', 'default', 'datavolumes', {
                    'apiVersion': 'cdi.kubevirt.io/v1beta1', 'kind': 'DataVolume', 'metadata': {'name': 'py'},
                    'spec': {'source': {'blank': {}}, 'storage': {'resources': {'requests': {'storage': '64Mi'}}}}})
                w = watch.Watch()
                for event in w.stream(api.list_namespaced_custom_object, 'cdi.kubevirt.io', 'v1beta1', 'default', 'datavolumes',
                                      field_selector='metadata.name=py', timeout_seconds=90):
                    phase = event['object'].get('status', {}).get('phase')
                    print(event['type'], phase, flush=True)
                    if phase == 'Succeeded':
                        w.stop()
                print('claims', [c.metadata.name for c in client.CoreV1Api().list_namespaced_persistent_volume_claim('default').items])
                print('server', client.VersionApi().get_code().git_version)
                """);
        ProcessBuilder python = new ProcessBuilder(PYTHON, script.toString()).redirectErrorStream(true);
        python.environment().put("KUBECONFIG", kubeconfig());
        Process run = python.start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out).contains("ADDED").contains("MODIFIED Succeeded").contains("claims ['py']").contains("server v1.32.0");
    }

    @Test
    void aFabric8ClientWaitsThroughTheFront() throws Exception {
        // fabric8 (the ferry CLI's client) watches over WebSocket first; the front answers 200 and it watches over HTTP
        var config = io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(local.kubeconfig()));
        try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build()) {
            var made = client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withGenerateName("wait-").endMetadata().build()).create();
            String name = made.getMetadata().getName();
            assertThat(name).matches("wait-[a-z0-9]{5}");
            var waited = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.configMaps().inNamespace("default")
                    .withName(name).waitUntilCondition(cm -> cm != null && cm.getData() != null && cm.getData().containsKey("done"),
                            60, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(20)).until(() -> client.configMaps().inNamespace("default").withName(name).get() != null);
            kubectl("patch", "configmap", name, "--type", "merge", "-p", "{\"data\":{\"done\":\"yes\"}}").ok();
            assertThat(waited.get(60, TimeUnit.SECONDS).getData()).containsEntry("done", "yes");
        }
    }

    private record Ran(int exit, String out) {
        String ok() {
            assertThat(exit).as(out).isZero();
            return out;
        }

        String failed() {
            assertThat(exit).as(out).isNotZero();
            return out;
        }
    }

    private String kubeconfig() {
        return local.kubeconfig().toString();
    }

    private Ran kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("kubectl %s", String.join(" ", args)).isTrue();
        return new Ran(process.exitValue(), out);
    }

    /** A process whose output goes to a file, read while it runs. */
    private record Background(Process process, Path out) {
        String output() throws IOException {
            return Files.readString(out);
        }
    }

    private Background background(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        return new Background(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start(), out);
    }

    private Path disk(String namespace, String claim) {
        String volume = local.client().persistentVolumeClaims().inNamespace(namespace).withName(claim).get().getSpec().getVolumeName();
        PersistentVolume pv = local.client().persistentVolumes().withName(volume).get();
        return Path.of(pv.getSpec().getLocal().getPath()).resolve("disk.img");
    }
}
