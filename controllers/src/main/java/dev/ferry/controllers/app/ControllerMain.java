package dev.ferry.controllers.app;

import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.vm.VmSettings;
import dev.ferry.controllers.k8s.ClusterAuthorization;
import dev.ferry.controllers.upload.UploadTokenService;
import dev.ferry.uploader.token.KeyFiles;
import dev.ferry.uploader.token.TokenIssuer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The operator process ({@code ferry-controller} Deployment). Environment:
 * {@code FERRY_NAMESPACE} (its own namespace, for the lease and shared Secrets),
 * {@code FERRY_IMPORTER_IMAGE}, {@code FERRY_UPLOAD_SERVER_IMAGE}, {@code FERRY_UPLOAD_TLS_SECRET},
 * {@code FERRY_TOKEN_KEY} (upload token signing key, PEM), {@code FERRY_TLS_CERT}/{@code FERRY_TLS_KEY}
 * and {@code FERRY_REQUESTHEADER_CA} (the token API's TLS, for the APIService),
 * {@code FERRY_TOKEN_API_PORT} (8443), {@code FERRY_METRICS_PORT} (8080), {@code POD_NAME} (lease identity),
 * {@code FERRY_INSECURE_REGISTRIES} (comma-separated registries reached over plain HTTP, as CDIConfig's).
 */
public final class ControllerMain {
    private static final Logger LOG = Logger.getLogger(ControllerMain.class.getName());

    private ControllerMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Map<String, String> env = System.getenv();
        String namespace = env.getOrDefault("FERRY_NAMESPACE", "ferry-system");
        String importer = env.getOrDefault("FERRY_IMPORTER_IMAGE", "ferry/importer:latest");
        WorkerSettings defaults = WorkerSettings.defaults(importer);
        WorkerSettings settings = new WorkerSettings(importer, defaults.pullPolicy(), defaults.cpuRequest(),
                defaults.memoryRequest(), defaults.memoryLimit(), defaults.metricsPort(), defaults.runAsUser(),
                env.getOrDefault("FERRY_UPLOAD_SERVER_IMAGE", defaults.uploadServerImage()),
                env.getOrDefault("FERRY_UPLOAD_TLS_SECRET", WorkerSettings.DEFAULT_UPLOAD_TLS_SECRET),
                java.util.Arrays.stream(env.getOrDefault("FERRY_INSECURE_REGISTRIES", "").split(","))
                        .map(String::trim).filter(r -> !r.isEmpty()).toList());
        String identity = env.getOrDefault("POD_NAME", InetAddress.getLocalHost().getHostName());
        CountDownLatch lost = new CountDownLatch(1);
        try (KubernetesClient client = new KubernetesClientBuilder().build();
             ControllerRuntime runtime = new ControllerRuntime(client, settings, vmSettings(env, importer), namespace,
                     identity, Duration.ofSeconds(15), lost::countDown);
             ControllerMetrics metrics = new ControllerMetrics(Integer.parseInt(env.getOrDefault("FERRY_METRICS_PORT", "8080")),
                     runtime.controller(), runtime.reconciler());
             TokenApiServer tokens = tokenApi(env, client)) {
            LOG.info(() -> "ferry controller " + identity + " started; metrics on " + metrics.port()
                    + ", upload token API on " + tokens.port());
            lost.await();
        }
        System.exit(1);
    }

    /** FERRY_LAUNCHER_IMAGE (the importer's image name with "launcher"), FERRY_ACCELERATOR (auto). */
    private static VmSettings vmSettings(Map<String, String> env, String importer) {
        VmSettings defaults = VmSettings.defaults(env.getOrDefault("FERRY_LAUNCHER_IMAGE", importer.replace("importer", "launcher")));
        return new VmSettings(defaults.launcherImage(), defaults.pullPolicy(), env.getOrDefault("FERRY_ACCELERATOR",
                defaults.accelerator()), defaults.controlPort(), java.util.Arrays.stream(env.getOrDefault("FERRY_INSECURE_REGISTRIES", "")
                .split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList());
    }

    private static TokenApiServer tokenApi(Map<String, String> env, KubernetesClient client) throws IOException {
        String key = env.get("FERRY_TOKEN_KEY");
        if (key == null) {
            throw new IOException("FERRY_TOKEN_KEY is not set: the upload token signing key (PEM, Ed25519 or RSA)");
        }
        ClusterAuthorization cluster = new ClusterAuthorization(client);
        UploadTokenService service = new UploadTokenService(cluster, cluster, new TokenIssuer(KeyFiles.privateKey(Path.of(key))));
        String cert = env.get("FERRY_TLS_CERT");
        String tlsKey = env.get("FERRY_TLS_KEY");
        String requestHeaderCa = env.get("FERRY_REQUESTHEADER_CA");
        return new TokenApiServer("0.0.0.0", Integer.parseInt(env.getOrDefault("FERRY_TOKEN_API_PORT", "8443")),
                cert == null ? null : PemTls.context(Path.of(cert), Path.of(tlsKey),
                        requestHeaderCa == null ? null : Path.of(requestHeaderCa)),
                requestHeaderCa != null, service, cluster);
    }
}
