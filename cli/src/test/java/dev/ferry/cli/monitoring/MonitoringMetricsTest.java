package dev.ferry.cli.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import io.fabric8.kubernetes.client.utils.Serialization;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.cloner.app.CloneSourceMain;
import dev.ferry.controllers.app.ControllerMetrics;
import dev.ferry.controllers.app.ControllerRuntime;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.testing.VmTesting;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.app.ImporterMain;
import dev.ferry.importer.testing.FaultyHttpServer;
import dev.ferry.local.node.WorkerProcesses;
import dev.ferry.uploader.app.UploadServerMain;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.CloneSourceEnv;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.ImporterEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.env.UploadServerEnv;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the alert rules and the dashboard query exists: scraped from the controller's
 * {@code /metrics} while it reconciles objects that make each gauge show a row, and from real
 * worker processes (importer, upload server, clone source — {@code java <worker main>} with the
 * environment their Pods get) while they work.
 */
@EnableKubernetesMockClient(crud = true)
class MonitoringMetricsTest {
    static KubernetesClient client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The workers as real processes, started the way local mode starts them. */
    private static final WorkerProcesses WORKERS = WorkerProcesses.sameBuild(Map.of(WorkerKind.IMPORTER, ImporterMain.class,
            WorkerKind.UPLOAD_SERVER, UploadServerMain.class, WorkerKind.CLONE_SOURCE, CloneSourceMain.class));

    @TempDir
    Path dir;

    @Test
    void everyMetricTheRulesAndTheDashboardQueryIsExposed() throws Exception {
        Set<String> wanted = Monitoring.metricNames();
        assertThat(wanted).as("the rules and the dashboard query Ferry's, CDI's and KubeVirt's metrics")
                .contains("kubevirt_cdi_import_pods_high_restart", "kubevirt_vmi_non_evictable", "ferry_import_source_bytes_total");
        List<String> scrapes = new ArrayList<>();
        scrapes.add(controllerScrape());
        scrapes.addAll(workerScrapes());

        Set<String> missing = new TreeSet<>(wanted);
        missing.removeIf(name -> scrapes.stream().anyMatch(s -> exposes(s, name)));
        assertThat(missing).as("queried but exposed by no scrape").isEmpty();
    }

    /** A sample line of {@code name} (with or without labels) in a Prometheus text scrape. */
    static boolean exposes(String scrape, String name) {
        return scrape.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }

    private String controllerScrape() throws Exception {
        Cluster.installCrds(client);
        ControllerRuntime runtime = new ControllerRuntime(client, Settings.workers().withUploadTlsSecret(null), Settings.vms(),
                "ferry-system", "replica-a", Duration.ofSeconds(3), () -> { });
        try (ControllerMetrics metrics = new ControllerMetrics(0, runtime.controllers())) {
            await().atMost(Duration.ofSeconds(20)).until(runtime::leading);
            // a storage class whose profile recommends nothing: kubevirt_cdi_storageprofile_info{complete="false"}
            client.resource(new StorageClassBuilder().withNewMetadata().withName("nfs").endMetadata()
                    .withProvisioner("example.com/nfs").build()).create();
            StorageProfile profile = new StorageProfile();
            profile.setMetadata(new ObjectMetaBuilder().withName("nfs").build());
            client.resource(profile).create();
            // a DataImportCron with no digest yet (outdated) and a snapshot schedule (seconds to its next run)
            try (var in = Cluster.class.getResourceAsStream("/cdi-examples/dataimportcron.yaml")) {
                client.resource(Serialization.unmarshal(in, DataImportCron.class)).create();
            }
            SnapshotSchedule hourly = Serialization.unmarshal(Files.readString(Path.of("..", "manifests", "examples",
                    "snapshotschedule.yaml")), SnapshotSchedule.class);
            hourly.getMetadata().setNamespace("vms");
            client.resource(hourly).create();
            // an import whose source is gone: a Failed DataVolume with its reason
            client.resource(Cluster.example("http-storage", "vms")).create();
            await().atMost(Duration.ofSeconds(20)).until(() -> pod("vms", "importer-fedora") != null);
            Cluster.terminated(client, pod("vms", "importer-fedora"), false,
                    "{\"outcome\":\"Failed\",\"reason\":\"SourceNotFound\",\"retryable\":false,\"message\":\"HTTP 404\"}", Instant.now());
            // a VM to live-migrate on eviction whose disk is ReadWriteOnce: not evictable
            VirtualMachine vm = VmTesting.vm("web", "Always", "ReadWriteOnce");
            vm.getSpec().template.spec.evictionStrategy = "LiveMigrate";
            client.resource(vm).create();
            await().atMost(Duration.ofSeconds(20)).until(() -> pod("vms", "importer-web-root") != null);
            Cluster.terminated(client, pod("vms", "importer-web-root"), true,
                    "{\"outcome\":\"Succeeded\",\"message\":\"Import complete\",\"sourceBytes\":0}", Instant.now());
            // a migration of it (refused: its disk cannot move) and one of another VMI that ended well, with its pause
            client.resource(migration("web-out", "web")).create();
            VirtualMachineInstanceMigration done = client.resource(migration("moved-out", "moved")).create();
            done.setStatus(new VirtualMachineInstanceMigration.Status());
            done.getStatus().phase = VirtualMachineInstanceMigration.SUCCEEDED;
            client.resource(done).updateStatus();
            VirtualMachineInstance moved = new VirtualMachineInstance();
            moved.setMetadata(new ObjectMetaBuilder().withName("moved").withNamespace("vms").build());
            moved.setSpec(vm.getSpec().template.spec);
            moved = client.resource(moved).create();
            moved.setStatus(new VmiStatus());
            moved.getStatus().phase = VmiStatus.RUNNING;
            moved.getStatus().migrationState = new VmiStatus.MigrationState();
            moved.getStatus().migrationState.completed = true;
            moved.getStatus().migrationState.downtimeMillis = 21L;
            client.resource(moved).updateStatus();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(scrape(metrics.port()))
                    .contains("ferry_datavolume_failed{kind=\"import\",reason=\"SourceNotFound\"} 1.0")
                    .contains("kubevirt_vmi_non_evictable{name=\"web\"")
                    .contains("kubevirt_cdi_storageprofile_info{complete=\"false\"")
                    .contains("kubevirt_vmi_migration_succeeded{").contains("kubevirt_vmi_migration_failed{")
                    .contains("ferry_vmi_migration_downtime_seconds{").contains("kubevirt_cdi_dataimportcron_outdated{")
                    .contains("ferry_snapshot_schedule_next_run_seconds{"));
            String scrape = scrape(metrics.port());
            assertThat(scrape).contains("ferry_datavolumes{phase=\"" + Phases.FAILED + "\"} 1.0")
                    .contains("ferry_vmi_migration_downtime_seconds{namespace=\"vms\",vmi=\"moved\"} 0.021")
                    .contains("kubevirt_vmi_migration_succeeded{name=\"moved-out\",namespace=\"vms\",vmi=\"moved\"} 1.0");
            return scrape;
        } finally {
            runtime.close();
        }
    }

    /** The importer (stalled mid-transfer), the upload server (waiting for its client) and the clone source (its target silent). */
    private List<String> workerScrapes() throws Exception {
        List<String> scrapes = new ArrayList<>();
        Path image = Images.scattered(dir, "image.qcow2", "");
        Path data = Files.createDirectories(dir.resolve("import"));
        try (FaultyHttpServer server = FaultyHttpServer.http(dir).stallAfter(1 << 20, 60_000, 1)) {
            int port = freePort();
            Process importer = worker(WorkerKind.IMPORTER, new ImporterEnv(server.url("image.qcow2").toString(),
                    ImporterEnv.SourceAccess.NONE, 1, 600, DiskTarget.filesystem(data, DiskTarget.KUBEVIRT, null, null, false),
                    new Reporting(port, "import-uid", dir.resolve("import.log"))).toEnv());
            scrapes.add(workerScrape(importer, "importer", port, "ferry_import_source_bytes_total{ownerUID=\"import-uid\"}"));
        }
        int port = freePort();
        Path upload = Files.createDirectories(dir.resolve("upload"));
        Process uploadServer = worker(WorkerKind.UPLOAD_SERVER, new UploadServerEnv("127.0.0.1", freePort(), null, null, null, 600, null,
                DiskTarget.filesystem(upload, DiskTarget.KUBEVIRT, "64Mi", null, false),
                new Reporting(port, "upload-uid", dir.resolve("upload.log"))).toEnv());
        scrapes.add(workerScrape(uploadServer, "upload-server", port, "kubevirt_cdi_upload_progress_total{ownerUID=\"upload-uid\"}"));

        Tools.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=clone", "-keyout", dir.resolve("clone.key").toString(), "-out", dir.resolve("clone.crt").toString());
        Path source = Files.createDirectories(dir.resolve("clone-source"));
        try (var disk = new java.io.RandomAccessFile(source.resolve("disk.img").toFile(), "rw")) {
            disk.setLength(64 << 20);
        }
        try (ServerSocket silent = new ServerSocket(0)) {
            port = freePort();
            Process cloneSource = worker(WorkerKind.CLONE_SOURCE, new CloneSourceEnv(source, false, DiskTarget.KUBEVIRT,
                    "https://127.0.0.1:" + silent.getLocalPort() + "/v1beta1/upload", dir.resolve("clone.crt"), dir.resolve("clone.key"),
                    dir.resolve("clone.crt"), 1, new Reporting(port, "clone-uid", dir.resolve("clone.log"))).toEnv());
            scrapes.add(workerScrape(cloneSource, "clone-source", port, "ferry_clone_source_bytes_total{ownerUID=\"clone-uid\"}"));
        }
        return scrapes;
    }

    /** Starts {@code kind} as local mode's process runtime does, its output in {@code <worker>.out}. */
    private Process worker(WorkerKind kind, Map<String, String> env) throws IOException {
        return WORKERS.start(kind, null, null, env, Map.of(), null, dir, dir.resolve(kind.workerName() + ".out"));
    }

    private String workerScrape(Process worker, String name, int port, String sample) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(worker.isAlive()).as(name + " still working; its output:\n" + output(name)).isTrue();
                try {
                    return scrape(port).contains(sample);
                } catch (IOException e) {
                    return false;
                }
            });
            return scrape(port);
        } finally {
            WORKERS.kill(worker);
            worker.waitFor();
        }
    }

    private String output(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"));
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Pod pod(String namespace, String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    private static VirtualMachineInstanceMigration migration(String name, String vmi) {
        VirtualMachineInstanceMigration migration = new VirtualMachineInstanceMigration();
        migration.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        migration.setSpec(new VirtualMachineInstanceMigration.Spec());
        migration.getSpec().vmiName = vmi;
        return migration;
    }
}
