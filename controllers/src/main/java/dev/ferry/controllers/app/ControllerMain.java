package dev.ferry.controllers.app;

import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.controllers.clone.k8s.CloneAuthority;
import dev.ferry.controllers.clone.k8s.CloneWebhook;
import dev.ferry.controllers.snapshot.k8s.SnapshotWebhook;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.upload.TokenApiServer;
import dev.ferry.controllers.upload.UploadTokenService;
import dev.ferry.controllers.upload.k8s.ClusterAuthorization;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.worker.tls.PemTls;
import dev.ferry.worker.env.ControllerEnv;
import dev.ferry.worker.token.KeyFiles;
import dev.ferry.worker.token.TokenIssuer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** The operator process ({@code ferry-controller} Deployment), configured by its environment ({@link ControllerEnv}). */
public final class ControllerMain {
    private static final Logger LOG = Logger.getLogger(ControllerMain.class.getName());

    private ControllerMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        ControllerEnv env = ControllerEnv.fromEnv(System.getenv(), InetAddress.getLocalHost().getHostName());
        CountDownLatch lost = new CountDownLatch(1);
        try (KubernetesClient client = new KubernetesClientBuilder().build();
             ControllerRuntime runtime = new ControllerRuntime(client, WorkerSettings.of(env), VmSettings.of(env), env.namespace(),
                     env.identity(), Duration.ofSeconds(15), lost::countDown);
             ControllerMetrics metrics = new ControllerMetrics(env.metricsPort(), runtime.controllers());
             TokenApiServer tokens = tokenApi(env, client)) {
            LOG.info(() -> "ferry controller " + env.identity() + " started; metrics on " + metrics.port()
                    + ", upload token API and the DataVolume and snapshot webhooks on " + tokens.port());
            lost.await();
        }
        System.exit(1);
    }

    private static TokenApiServer tokenApi(ControllerEnv env, KubernetesClient client) throws IOException {
        ClusterAuthorization cluster = new ClusterAuthorization(client);
        UploadTokenService service = new UploadTokenService(cluster, cluster, new TokenIssuer(KeyFiles.privateKey(env.tokenKey())));
        CloneWebhook clones = CloneWebhook.of(client, new CloneAuthority(client, env.namespace(), Clock.systemUTC()));
        return new TokenApiServer("0.0.0.0", env.tokenApiPort(), env.tlsCert() == null ? null
                : PemTls.context(env.tlsCert(), env.tlsKey(), env.requestHeaderCa()), env.requestHeaderCa() != null, service, cluster)
                .route(CloneWebhook.PATH, clones::review)
                .route(SnapshotWebhook.PATH, new SnapshotWebhook(namespace -> client.resources(VirtualMachineRestore.class)
                        .inNamespace(namespace).list().getItems())::review);
    }
}
