package dev.ferry.cli;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.upload.v1beta1.UploadTokenRequest;
import dev.ferry.controllers.app.ControllerRuntime;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.upload.UploadTokenService;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerTable;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `ferry image-upload dv NAME` as virtctl users run it, with the control plane: it creates the
 * DataVolume, the real controller (on the mock API server) creates the claim and upload server
 * Pod, a stand-in kubelet runs that Pod as the real upload server, the token comes from the
 * UploadTokenRequest API, the bytes go through the real proxy, and the DataVolume succeeds.
 */
@EnableKubernetesMockClient(crud = true)
class ImageUploadControlPlaneTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void createsTheDataVolumeGetsATokenUploadsAndSucceeds() throws Exception {
        Tools.require("qemu-img");
        installCrds();
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        // authorization and the upload-target check are TokenApiServerTest's; here they answer yes, because a
        // reply computed on the mock server's event loop must not call back into the mock server
        UploadTokenService tokens = new UploadTokenService((user, groups, ns) -> true, (ns, pvc) -> null,
                new TokenIssuer(keys.getPrivate()));
        // the aggregator's role: POSTs to upload.cdi.kubevirt.io reach the token API
        server.expect().post().withPath("/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/vms/uploadtokenrequests")
                .andReply(201, request -> {
                    try {
                        UploadTokenRequest asked = JSON.readValue(request.getBody().readUtf8(), UploadTokenRequest.class);
                        return JSON.writeValueAsString(tokens.answer("alice", List.of(), "vms", asked));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).always();
        UploadServerTable table = new UploadServerTable();
        Path image = Images.scattered(dir, "fedora.qcow2", "");
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), kubeconfigFor(client));
        try (ControllerRuntime controller = new ControllerRuntime(client, WorkerSettings.defaults(Settings.IMAGES)
                .withUploadTlsSecret(null), Settings.vms(), "ferry-system", "controller-0", Duration.ofSeconds(5), () -> { });
             UploadProxy proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0,
                     new TokenVerifier(keys.getPublic(), Clock.systemUTC()), table, null, null, Duration.ofSeconds(10)));
             Kubelet kubelet = new Kubelet(table)) {
            StringWriter err = new StringWriter();
            CommandLine command = Ferry.commandLine();
            command.setErr(new PrintWriter(err, true));
            int exit = command.execute("image-upload", "dv", "fedora", "-n", "vms", "--size", "128Mi",
                    "--image-path", image.toString(), "--uploadproxy-url", "http://127.0.0.1:" + proxy.port(),
                    "--kubeconfig", kubeconfig.toString(), "--wait-secs", "60", "--no-progress");
            assertThat(exit).as(err.toString()).isZero();
            assertThat(err.toString()).contains("DataVolume vms/fedora created").contains("DataVolume vms/fedora: Succeeded");
            assertThat(client.resources(DataVolume.class).inNamespace("vms").withName("fedora").get().getStatus().progress)
                    .isEqualTo("100.0%");
            Path disk = kubelet.disks.get("vms/fedora");
            assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk.toString(), image.toString())
                    .exitCode()).isZero();
        }
    }

    /** Plays kubelet for upload server Pods only: runs each as the real UploadServer, reports it like a kubelet would. */
    private final class Kubelet implements AutoCloseable {
        final Map<String, Path> disks = new ConcurrentHashMap<>();
        private final Map<String, UploadServer> servers = new ConcurrentHashMap<>();
        private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        private final UploadServerTable table;

        Kubelet(UploadServerTable table) {
            this.table = table;
            loop.scheduleWithFixedDelay(this::sync, 0, 100, TimeUnit.MILLISECONDS);
        }

        private void sync() {
            try {
                for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
                    if (pod.getMetadata().getName().startsWith("cdi-upload-") && !servers.containsKey(key)) {
                        start(pod, key);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void start(Pod pod, String key) throws Exception {
            String pvc = pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName();
            Path disk = dir.resolve(pvc + ".img");
            disks.put(pod.getMetadata().getNamespace() + "/" + pvc, disk);
            UploadServer upload = UploadServer.start(UploadServerConfig.loopback(disk, new ImportOptions(false, 128L << 20, null, false)));
            servers.put(key, upload);
            table.register(pod.getMetadata().getNamespace(), pvc, new InetSocketAddress("127.0.0.1", upload.port()));
            pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1")
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).build());
            client.resource(pod).updateStatus();
            upload.succeeded().thenAccept(result -> {
                Pod now = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
                now.setStatus(new PodStatusBuilder().withPhase("Succeeded").withContainerStatuses(new ContainerStatusBuilder()
                        .withName("upload-server").withNewState().withNewTerminated().withExitCode(0)
                        .withMessage("{\"outcome\":\"Succeeded\",\"message\":\"Upload complete\"}")
                        .withFinishedAt(Instant.now().toString()).endTerminated().endState().build()).build());
                client.resource(now).updateStatus();
            });
        }

        @Override
        public void close() {
            loop.shutdownNow();
            servers.values().forEach(UploadServer::close);
        }
    }

    private static String kubeconfigFor(KubernetesClient client) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: " + client.getMasterUrl()
                + "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: mock\n  context:\n    cluster: mock\n"
                + "    user: mock\n    namespace: vms\ncurrent-context: mock\nusers:\n- name: mock\n  user:\n    token: secret\n";
    }

    private static void installCrds() throws Exception {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("..", "manifests", "crds"), "*.yml")) {
            for (Path file : files) {
                try (InputStream in = Files.newInputStream(file)) {
                    client.apiextensions().v1().customResourceDefinitions()
                            .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).createOr(e -> e.update());
                }
            }
        }
    }
}
