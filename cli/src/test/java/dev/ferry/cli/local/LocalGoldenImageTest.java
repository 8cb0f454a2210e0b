package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.controllers.dataimportcron.CronNames;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.ContainerDisks;
import dev.ferry.importer.testing.DockerRegistry;
import dev.ferry.local.app.LocalMode;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden images end to end on local mode with Debian's docker-registry: a DataImportCron imports a
 * containerDisk into its DataSource, a VirtualMachine whose template names the DataSource clones it
 * and boots (its console shows the golden image's mark on its disk), a new digest pushed under the
 * same tag moves the DataSource while the VM keeps running and the old import is collected, and a
 * registry that goes away turns into Progressing=False until it is back.
 */
class LocalGoldenImageTest {
    private static final String REPOSITORY = "os/golden";

    @TempDir
    Path dir;
    private DockerRegistry registry;
    private LocalMode local;
    private KubernetesClient client;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("qemu-img");
        TestGuest.kernel();
        registry = DockerRegistry.open(Files.createDirectories(dir.resolve("registry")));
        local = new LocalMode(dir.resolve("root"), 0, 0);
        client = local.client();
    }

    @AfterEach
    void tearDown() {
        if (local != null) {
            local.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aCronKeepsTheDataSourceOnTheNewestDigestAndVmsBootFromIt() throws Exception {
        Path one = goldenImage("GOLDEN-IMAGE-ONE");
        String first = push(one);
        applyCron("0 * * * *", 1, null);

        String firstImport = "golden-os-" + first.substring(7, 19);
        awaitDataSource(firstImport, Duration.ofSeconds(90));
        DataImportCron cron = cron();
        assertThat(cron.getStatus().currentImports.get(0).digest).isEqualTo(first);
        assertThat(cron.getStatus().lastImportedPVC.name).isEqualTo(firstImport);
        assertThat(cron.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("UpToDate");
            assertThat(c.status).isEqualTo("True");
        });
        assertThat(cron.getMetadata().getAnnotations()).containsEntry(CronNames.ANN_DESIRED_DIGEST, first)
                .containsKey(CronNames.ANN_NEXT_CRON_TIME);
        DataVolume imported = client.resources(DataVolume.class).inNamespace("golden").withName(firstImport).get();
        assertThat(imported.getSpec().source.registry.url).endsWith("@" + first);
        assertIdentical(disk("golden", firstImport), one);

        // a VM from the golden image, in another namespace: its template clones the DataSource's volume
        client.resource(vm("web")).create();
        awaitVmi("web", vmi -> "Running".equals(vmi.getStatus().phase), Duration.ofSeconds(180));
        assertThat(ferry("console", "web", "-n", "vms", "--until", "counter 1", "--timeout", "90s").exit()).isZero();
        assertThat(Files.readString(consoleLog(vmi("web").getStatus().launcherPod))).as("the guest found the golden image on its disk")
                .contains("disk vda starts GOLDEN-IMAGE-ONE");

        // a new digest under the same tag, picked up by the next poll (brought forward here: the schedule is hourly)
        String second = push(goldenImage("GOLDEN-IMAGE-TWO"));
        pollNow();
        String secondImport = "golden-os-" + second.substring(7, 19);
        awaitDataSource(secondImport, Duration.ofSeconds(90));
        await("importsToKeep 1: the first import is collected").atMost(Duration.ofSeconds(30)).until(() ->
                client.resources(DataVolume.class).inNamespace("golden").withName(firstImport).get() == null
                        && client.persistentVolumeClaims().inNamespace("golden").withName(firstImport).get() == null);
        assertThat(vmi("web").getStatus().phase).as("the VM keeps running on its own clone").isEqualTo("Running");

        // the registry goes away: the poll fails, says so, and is retried until the registry is back
        registry.stop();
        pollNow();
        await().atMost(Duration.ofSeconds(60)).until(() -> progressing(cron(), "False", "SourceUnavailable"));
        assertThat(condition(cron(), "Progressing").message).contains("cannot reach the registry");
        registry.start();
        // the reconciler writes annotations, then status: the two are read together once both are written
        await("the next retry succeeds").atMost(Duration.ofSeconds(90)).until(() -> {
            DataImportCron now = cron();
            return !now.getMetadata().getAnnotations().containsKey(CronNames.ANN_POLL_FAILURES)
                    && progressing(now, "False", "NoImport") && upToDate(now);
        });

        assertThat(ferry("stop", "web", "-n", "vms").exit()).isZero();
    }

    @Test
    void onSnapshotStorageTheImportIsKeptAsASnapshotAndAHandSetDigestImportsWithoutASchedule() throws Exception {
        Path image = goldenImage("GOLDEN-SNAPSHOTS");
        String digest = push(image);
        // storage whose profile keeps golden images as snapshots (local-path has a snapshot class)
        client.resources(StorageProfile.class).withName("local-path").editStatus(profile -> {
            profile.getStatus().dataImportCronSourceFormat = "snapshot";
            return profile;
        });
        applyCron("", 3, digest);
        String name = "golden-os-" + digest.substring(7, 19);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            DataSource ds = client.resources(DataSource.class).inNamespace("golden").withName("golden-os").get();
            return ds != null && ds.getStatus() != null && ds.getStatus().source != null && ds.getStatus().source.snapshot != null
                    && name.equals(ds.getStatus().source.snapshot.name);
        });
        assertThat(cron().getStatus().sourceFormat).isEqualTo("snapshot");
        // the importer may still be terminating here; what must never have run is a source poller
        assertThat(client.pods().inNamespace("golden").withLabel(dev.ferry.controllers.datavolume.WorkerPodBuilder.LABEL_COMPONENT,
                dev.ferry.worker.WorkerKind.SOURCE_POLLER.workerName()).list().getItems()).as("no schedule: no poll").isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.persistentVolumeClaims().inNamespace("golden").withName(name).get() == null
                && client.resources(DataVolume.class).inNamespace("golden").withName(name).get() == null);

        client.resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata: {name: from-golden, namespace: vms}
                spec:
                  sourceRef: {kind: DataSource, namespace: golden, name: golden-os}
                  storage: {}
                """, DataVolume.class)).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            DataVolume dv = client.resources(DataVolume.class).inNamespace("vms").withName("from-golden").get();
            return dv != null && dv.getStatus() != null && "Succeeded".equals(dv.getStatus().phase);
        });
        assertIdentical(disk("vms", "from-golden"), image);
    }

    /**
     * DataImportCron golden/golden-cron keeping DataSource golden-os on {@code os/golden:latest}
     * (64 MiB imports), with {@code schedule}, {@code importsToKeep}, and a digest set by hand, or none.
     */
    private void applyCron(String schedule, int importsToKeep, String desiredDigest) {
        DataImportCron cron = Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataImportCron
                metadata: {name: golden-cron, namespace: golden}
                spec:
                  template:
                    spec:
                      source:
                        registry:
                          url: "docker://%s/%s:latest"
                      storage:
                        resources:
                          requests:
                            storage: 64Mi
                  schedule: "%s"
                  importsToKeep: %d
                  managedDataSource: golden-os
                """.formatted(registry.host(), REPOSITORY, schedule, importsToKeep), DataImportCron.class);
        if (desiredDigest != null) {
            cron.getMetadata().setAnnotations(java.util.Map.of(CronNames.ANN_DESIRED_DIGEST, desiredDigest));
        }
        client.resource(cron).create();
    }

    /** A 64 MiB raw disk starting with {@code mark} (16 characters), with data further in, as a containerDisk qcow2. */
    private Path goldenImage(String mark) throws IOException {
        Path raw = dir.resolve(mark + ".raw");
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(64L << 20);
            file.write(mark.getBytes(StandardCharsets.US_ASCII));
            file.seek(32L << 20);
            file.write(("the rest of " + mark).getBytes(StandardCharsets.US_ASCII));
        }
        Path qcow2 = dir.resolve(mark + ".qcow2");
        Tools.run("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
        return qcow2;
    }

    /** Pushes {@code image} as the containerDisk {@code os/golden:latest}; returns the manifest's digest. */
    private String push(Path image) throws Exception {
        ObjectNode layer = registry.pushBlob(REPOSITORY, ContainerDisks.layer("disk/disk.qcow2", Files.readAllBytes(image)),
                ContainerDisks.LAYER);
        return registry.pushImage(REPOSITORY, "latest", List.of(layer)).get("digest").asText();
    }

    /** Brings the next scheduled poll forward to now, as if the hour had come. */
    private void pollNow() {
        client.resources(DataImportCron.class).inNamespace("golden").withName("golden-cron").edit(cron -> {
            cron.getMetadata().getAnnotations().put(CronNames.ANN_NEXT_CRON_TIME, Instant.now().toString());
            return cron;
        });
    }

    private void awaitDataSource(String importName, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                DataSource ds = client.resources(DataSource.class).inNamespace("golden").withName("golden-os").get();
                return ds != null && ds.getStatus() != null && ds.getStatus().source != null && ds.getStatus().source.pvc != null
                        && importName.equals(ds.getStatus().source.pvc.name);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("DataSource golden-os never pointed at " + importName + ": "
                    + Serialization.asYaml(client.resources(DataSource.class).inNamespace("golden").withName("golden-os").get())
                    + Serialization.asYaml(cron())
                    + Serialization.asYaml(client.resources(DataVolume.class).inAnyNamespace().list().getItems())
                    + Serialization.asYaml(client.pods().inAnyNamespace().list().getItems()), e);
        }
    }

    private void awaitVmi(String name, Predicate<VirtualMachineInstance> state, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                VirtualMachineInstance vmi = vmi(name);
                return vmi != null && vmi.getStatus() != null && state.test(vmi);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("VMI vms/" + name + " did not get there: " + Serialization.asYaml(vmi(name))
                    + Serialization.asYaml(client.resources(DataVolume.class).inNamespace("vms").list().getItems()), e);
        }
    }

    private DataImportCron cron() {
        return client.resources(DataImportCron.class).inNamespace("golden").withName("golden-cron").get();
    }

    private VirtualMachineInstance vmi(String name) {
        return client.resources(VirtualMachineInstance.class).inNamespace("vms").withName(name).get();
    }

    private static dev.ferry.api.cdi.v1beta1.DataVolumeCondition condition(DataImportCron cron, String type) {
        return cron.getStatus() == null || cron.getStatus().conditions == null ? null
                : cron.getStatus().conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    private static boolean progressing(DataImportCron cron, String status, String reason) {
        var c = condition(cron, "Progressing");
        return c != null && status.equals(c.status) && reason.equals(c.reason);
    }

    private static boolean upToDate(DataImportCron cron) {
        var c = condition(cron, "UpToDate");
        return c != null && "True".equals(c.status);
    }

    private static VirtualMachine vm(String name) throws IOException {
        return TestVms.vm(name, "vms", "Always", """
                        sourceRef: {kind: DataSource, namespace: golden, name: golden-os}
                        storage: {}
                """, "");
    }

    private FerryTestAccess.Result ferry(String... args) {
        return FerryTestAccess.capture(local.kubeconfig(), args);
    }

    /** The serial console's log of a launcher Pod, as the local node keeps it. */
    private Path consoleLog(String pod) throws IOException {
        try (var dirs = Files.list(local.kubeconfig().getParent().resolve("pods/vms"))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith(pod + "-")).findFirst().orElseThrow()
                    .resolve("volumes/console/console.log");
        }
    }

    private Path disk(String namespace, String claim) {
        String volume = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get().getSpec().getVolumeName();
        PersistentVolume pv = client.persistentVolumes().withName(volume).get();
        return Path.of(pv.getSpec().getLocal().getPath()).resolve("disk.img");
    }

    private static void assertIdentical(Path raw, Path qcow2) {
        Tools.Result compare = Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw.toString(), qcow2.toString());
        assertThat(compare.exitCode()).as(compare.output()).isZero();
    }
}
