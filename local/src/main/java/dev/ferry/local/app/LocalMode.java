package dev.ferry.local.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.upload.v1beta1.UploadTokenRequest;
import dev.ferry.controllers.app.ControllerRuntime;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import dev.ferry.controllers.snapshot.k8s.SnapshotWebhook;
import dev.ferry.controllers.clone.CloneAdmission;
import dev.ferry.controllers.clone.k8s.CloneAuthority;
import dev.ferry.controllers.clone.k8s.CloneWebhook;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.handler.k8s.NodeHandler;
import dev.ferry.controllers.upload.TokenApiServer;
import dev.ferry.controllers.upload.UploadTokenService;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.importer.app.ImporterMain;
import dev.ferry.importer.app.SourcePollerMain;
import dev.ferry.local.api.LocalApiServer;
import dev.ferry.local.node.LocalNodeAgent;
import dev.ferry.local.node.PodmanWorkers;
import dev.ferry.local.node.WorkerProcesses;
import dev.ferry.local.node.WorkerRuntime;
import dev.ferry.local.state.StateStore;
import dev.ferry.local.storage.LocalPathStorage;
import dev.ferry.uploader.app.UploadServerMain;
import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerTable;
import dev.ferry.vmruntime.app.LauncherMain;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.NodeHandlerEnv;
import dev.ferry.worker.env.WorkerImages;
import dev.ferry.worker.token.KeyFiles;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The whole stack on one machine, in one process: the in-process API server with Ferry's CRDs,
 * the controllers, the upload proxy (plain HTTP on loopback) with the UploadTokenRequest API
 * behind the API server's path, local-path storage and the local node agent. State is saved
 * under {@code DATA_ROOT/state} and restored on the next start.
 */
public final class LocalMode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalMode.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WorkerImages IMAGES = new WorkerImages("ferry/importer:local", "ferry/upload-server:local",
            "ferry/launcher:local", "ferry/clone-source:local", "ferry/export-server:local");
    private static final String NAMESPACE = "ferry-system";
    private static final List<String> INSECURE_REGISTRIES = List.of("127.0.0.1", "localhost");
    /** Worker Pods run as processes of this build. */
    private static final WorkerProcesses WORKERS = WorkerProcesses.sameBuild(Map.of(WorkerKind.IMPORTER, ImporterMain.class,
            WorkerKind.UPLOAD_SERVER, UploadServerMain.class, WorkerKind.LAUNCHER, LauncherMain.class,
            WorkerKind.CLONE_SOURCE, dev.ferry.cloner.app.CloneSourceMain.class, WorkerKind.SOURCE_POLLER, SourcePollerMain.class,
            WorkerKind.EXPORT_SERVER, dev.ferry.snapshot.app.ExportServerMain.class));

    private final LocalApiServer api;
    private final ControllerRuntime controllers;
    private final UploadProxy proxy;
    private final LocalPathStorage storage;
    private final LocalNodeAgent agent;
    private final StateStore state;
    private final NodeHandler handler;
    private final SharedIndexInformer<DataSource> dataSources;
    private final SharedIndexInformer<VirtualMachineRestore> restores;
    private final SharedIndexInformer<VolumeSnapshot> snapshots;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ferry-local-node");
        thread.setDaemon(true);
        return thread;
    });
    /** VolumeSnapshots taken as they are created, beside the loop (which may be in the middle of a pass). */
    private final java.util.concurrent.ExecutorService snapshotter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ferry-local-snapshotter");
        thread.setDaemon(true);
        return thread;
    });
    private final Path kubeconfig;
    private final List<String> blockVolumes;

    /** The workers the ferry image runs under {@code --runtime podman} (a launcher needs QEMU and libvirt: ferry-launcher). */
    private static final java.util.Set<WorkerKind> IMAGE_WORKERS = java.util.Set.of(WorkerKind.IMPORTER, WorkerKind.UPLOAD_SERVER,
            WorkerKind.CLONE_SOURCE, WorkerKind.SOURCE_POLLER, WorkerKind.EXPORT_SERVER);

    /** Starts local mode with worker Pods as processes; {@code apiPort}/{@code proxyPort} 0 pick free ports. */
    public LocalMode(Path dataRoot, int apiPort, int proxyPort) throws IOException {
        this(dataRoot, apiPort, proxyPort, null, null);
    }

    /**
     * Starts local mode; with {@code podmanImage} (e.g. {@code localhost/ferry:latest}, built by
     * {@code make images}) the data workers' Pods run as podman containers of that image, and with
     * {@code launcherImage} the launchers' Pods too (of that image); the rest stay processes.
     */
    public LocalMode(Path dataRoot, int apiPort, int proxyPort, String podmanImage, String launcherImage) throws IOException {
        Path root = Files.createDirectories(dataRoot).toAbsolutePath();
        KeyPair keys = keys(root.resolve("keys"));
        // one user on one machine: every request is authorized; the claim check runs in the controller's reconcile
        UploadTokenService tokens = new UploadTokenService((user, groups, namespace) -> true, (namespace, pvc) -> null,
                new TokenIssuer(keys.getPrivate()));
        api = new LocalApiServer(apiPort, (namespace, body) -> answer(tokens, namespace, body));
        KubernetesClient client = api.client();
        storage = new LocalPathStorage(client, root, Clock.systemUTC());
        storage.install();
        state = new StateStore(client, api::keepUid, root);
        state.load();
        blockVolumes = storage.attachBlockVolumes();
        systemNamespaces(client);
        dataSources = client.resources(DataSource.class).inAnyNamespace().inform();
        api.admitDataVolumes(cloneWebhook(client, dataSources)::review);
        // the webhooks run inside the API server: they read caches, never the server itself
        restores = client.resources(VirtualMachineRestore.class).inAnyNamespace().inform();
        api.admitSnapshots(new SnapshotWebhook(namespace -> restores.getStore().list().stream()
                .filter(r -> namespace.equals(r.getMetadata().getNamespace())).toList())::review);
        UploadServerTable table = new UploadServerTable();
        proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", proxyPort,
                new TokenVerifier(keys.getPublic(), Clock.systemUTC()), table, null, null, Duration.ofSeconds(60)));
        Map<WorkerKind, String> images = new java.util.EnumMap<>(WorkerKind.class);
        if (podmanImage != null) {
            IMAGE_WORKERS.forEach(kind -> images.put(kind, podmanImage));
        }
        if (launcherImage != null) {
            images.put(WorkerKind.LAUNCHER, launcherImage);
        }
        WorkerRuntime runtime = images.isEmpty() ? WORKERS
                : WorkerRuntime.preferring(new PodmanWorkers(images, root.resolve("launchers-run")), WORKERS);
        agent = new LocalNodeAgent(client, storage, root, runtime, Clock.systemUTC(), (target, address) -> {
            String[] parts = target.split("/", 2);
            table.register(parts[0], parts[1], address);
        });
        // registries on this machine usually speak plain HTTP (docker-registry's default)
        controllers = new ControllerRuntime(client, WorkerSettings.defaults(IMAGES).withUploadTlsSecret(null)
                .withInsecureRegistries(INSECURE_REGISTRIES), VmSettings.defaults(IMAGES.launcher())
                .withInsecureRegistries(INSECURE_REGISTRIES), NAMESPACE, "local", Duration.ofSeconds(10), () -> { });
        handler = new NodeHandler(client, NodeHandlerEnv.defaults(LocalNodeAgent.NODE), Clock.systemUTC());
        handler.start(Duration.ofMillis(100));
        api.servePodLogs(root.resolve("logs"));
        kubeconfig = api.writeKubeconfig(root.resolve("kubeconfig"));
        Files.writeString(root.resolve("uploadproxy-url"), uploadProxyUrl() + "\n");
        loop.scheduleWithFixedDelay(this::tick, 0, 100, TimeUnit.MILLISECONDS);
        // a VolumeSnapshot is taken at once, not at the next tick: a VM snapshot holds its guest frozen until it is
        snapshots = client.resources(VolumeSnapshot.class).inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(VolumeSnapshot vs) {
                snapshotter.execute(() -> snapshotNow(vs.getMetadata().getNamespace(), vs.getMetadata().getName()));
            }

            @Override
            public void onUpdate(VolumeSnapshot before, VolumeSnapshot after) {
            }

            @Override
            public void onDelete(VolumeSnapshot vs, boolean unknown) {
            }
        });
        loop.scheduleWithFixedDelay(this::save, 2, 2, TimeUnit.SECONDS);
    }

    /**
     * DataVolume creates pass the clone webhook, as in a cluster. It runs inside the API server's
     * request handling, where a call back to the API server could wait on itself: the signing keys
     * are loaded now, DataSources come from an informer's cache, and local mode's one user may read
     * every namespace (as the API server's SubjectAccessReviews say).
     */
    private static CloneWebhook cloneWebhook(KubernetesClient client, SharedIndexInformer<DataSource> dataSources) {
        CloneAuthority authority = new CloneAuthority(client, NAMESPACE, Clock.systemUTC());
        authority.tokens();
        return new CloneWebhook(new CloneAdmission((user, namespace, verb, group, resource, subresource, name) -> true,
                CloneWebhook.dataSources((namespace, name) -> dataSources.getStore().getByKey(namespace + "/" + name)),
                authority::tokens));
    }

    /** The namespaces kube-apiserver makes at start, and Ferry's own: a fresh cluster's {@code kubectl get ns}. */
    private static void systemNamespaces(KubernetesClient client) {
        for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease", NAMESPACE)) {
            if (client.namespaces().withName(name).get() == null) {
                client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(name)
                        .endMetadata().withNewStatus().withPhase("Active").endStatus().build()).create();
            }
        }
    }

    private void tick() {
        try {
            storage.sync();
            agent.sync();
        } catch (java.nio.channels.ClosedByInterruptException e) {
            LOG.fine("local node: a pass was interrupted by shutdown; the next start resumes it");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "local node: " + e.getMessage(), e);
        }
    }

    private void snapshotNow(String namespace, String name) {
        try {
            storage.snapshotNow(namespace, name);
        } catch (java.nio.channels.ClosedByInterruptException e) {
            LOG.fine("local node: a snapshot was interrupted by shutdown; a later pass takes it");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "local node: snapshot " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
    }

    private void save() {
        try {
            state.save();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "saving local state: " + e.getMessage(), e);
        }
    }

    private static LocalApiServer.Aggregated.Answer answer(UploadTokenService tokens, String namespace, String body) {
        try {
            return new LocalApiServer.Aggregated.Answer(201, JSON.writeValueAsString(tokens.answer("local-user",
                    List.of("system:authenticated"), namespace, JSON.readValue(body, UploadTokenRequest.class))));
        } catch (UploadTokenService.Refusal e) {
            return new LocalApiServer.Aggregated.Answer(e.status(), TokenApiServer.status(e.status(), e.reason(), e.getMessage()));
        } catch (IOException e) {
            return new LocalApiServer.Aggregated.Answer(400, TokenApiServer.status(400, "BadRequest",
                    "not an UploadTokenRequest: " + e.getMessage()));
        }
    }

    private static KeyPair keys(Path dir) throws IOException {
        if (Files.exists(dir.resolve("token.key")) && Files.exists(dir.resolve("token.pub"))) {
            return new KeyPair(KeyFiles.publicKey(dir.resolve("token.pub")), KeyFiles.privateKey(dir.resolve("token.key")));
        }
        return KeyFiles.generate(dir);
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public String apiUrl() {
        return api.url();
    }

    public String uploadProxyUrl() {
        return "http://127.0.0.1:" + proxy.port();
    }

    /** Whether the data root shares blocks, so clones and snapshots are reflinks (else sparse copies). */
    public boolean reflinkSupported() throws IOException {
        return storage.reflinkSupported();
    }

    /** The loop devices attached at start for the Block volumes there were (and any left by a crashed run released). */
    public List<String> blockVolumesAtStart() {
        return blockVolumes;
    }

    /** The loop devices held now: backing file → device. */
    public Map<Path, String> loopDevices() {
        return storage.loopDevices();
    }

    public KubernetesClient client() {
        return api.client();
    }

    @Override
    public void close() {
        snapshots.close();
        snapshotter.shutdownNow();
        loop.shutdownNow();
        save();
        controllers.close();
        handler.close();
        agent.close();
        storage.close();
        dataSources.close();
        restores.close();
        proxy.close();
        api.close();
    }
}
