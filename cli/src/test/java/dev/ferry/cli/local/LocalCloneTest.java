package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.disk.testing.Tools;
import dev.ferry.local.app.LocalMode;
import dev.ferry.snapshot.testing.XfsLoop;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clones end to end on local mode, every DataVolume created through the API server and its clone
 * webhook: CSI clones (within and across namespaces: a temporary claim whose volume is moved),
 * snapshot sources (restored, or copied), host-assisted copies (clone source and upload server as
 * processes, mutual TLS) in every volume-mode pairing, a source in use, a DataSource (also from a
 * VM's template), reflinks on an XFS data root, and local mode killed mid-clone. Sources are 4 GiB disks holding 64 MiB; targets are compared with
 * qemu-img and must allocate about what the source holds.
 */
class LocalCloneTest {
    private static final long GI = 1L << 30;
    private static final long MI = 1L << 20;
    private static final long DATA = 64 * MI;
    /** Room for filesystem metadata and extent rounding on top of the data a clone must hold. */
    private static final long SLACK = 4 * MI;

    @TempDir
    Path dir;
    private LocalMode local;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("qemu-img");
        local = new LocalMode(dir.resolve("root"), 0, 0);
    }

    @AfterEach
    void tearDown() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void csiClonesWithinAndAcrossNamespacesCopyOnlyWhatTheSourceHolds() throws Exception {
        Path source = source("golden", "fedora", "Filesystem", DATA);

        apply("golden", "sibling", "pvc: {namespace: golden, name: fedora}", "local-path", "Filesystem", "4Gi");
        apply("vms", "fedora-vm", "pvc: {namespace: golden, name: fedora}", "local-path", "Filesystem", "4Gi");
        awaitPhase("golden", "sibling", "Succeeded", Duration.ofSeconds(60));
        awaitPhase("vms", "fedora-vm", "Succeeded", Duration.ofSeconds(60));

        for (String[] clone : new String[][] {{"golden", "sibling"}, {"vms", "fedora-vm"}}) {
            DataVolume dv = dataVolume(clone[0], clone[1]);
            assertThat(dv.getMetadata().getAnnotations()).containsEntry(CloneNames.ANN_CLONE_TYPE, "csi-clone");
            assertThat(dv.getStatus().progress).isEqualTo("100.0%");
            assertIdentical(disk(clone[0], clone[1]), source);
            assertThat(Tools.allocated(disk(clone[0], clone[1]))).isLessThanOrEqualTo(DATA + SLACK);
            assertThat(reasons(clone[0], clone[1])).contains("CloneSucceeded");
        }
        DataVolume across = dataVolume("vms", "fedora-vm");
        assertThat(across.getMetadata().getAnnotations()).as("the webhook stamped the clone token, swapped for the long one")
                .containsKeys(CloneNames.ANN_TOKEN, CloneNames.ANN_EXTENDED_TOKEN);
        PersistentVolume pv = local.client().persistentVolumes().withName(claim("vms", "fedora-vm").getSpec().getVolumeName()).get();
        assertThat(pv.getSpec().getClaimRef().getNamespace()).as("the filled volume moved to the target's claim").isEqualTo("vms");
        assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo("fedora-vm");
        assertNoTemporaries();
    }

    @Test
    void aSnapshotIsRestoredInItsNamespaceAndCopiedIntoAClassThatCannotRestoreIt() throws Exception {
        Path source = source("golden", "fedora", "Filesystem", DATA);
        local.client().resource(Serialization.unmarshal("""
                apiVersion: snapshot.storage.k8s.io/v1
                kind: VolumeSnapshot
                metadata: {name: fedora-snap, namespace: golden}
                spec:
                  volumeSnapshotClassName: local-snapshots
                  source: {persistentVolumeClaimName: fedora}
                """, VolumeSnapshot.class)).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            VolumeSnapshot vs = local.client().resources(VolumeSnapshot.class).inNamespace("golden").withName("fedora-snap").get();
            return vs.getStatus() != null && Boolean.TRUE.equals(vs.getStatus().readyToUse);
        });

        apply("golden", "restored", "snapshot: {namespace: golden, name: fedora-snap}", "local-path", "Filesystem", null);
        apply("vms", "copied", "snapshot: {namespace: golden, name: fedora-snap}", "local-copy", "Filesystem", "4Gi");
        awaitPhase("golden", "restored", "Succeeded", Duration.ofSeconds(60));
        awaitPhase("vms", "copied", "Succeeded", Duration.ofSeconds(120));

        assertThat(dataVolume("golden", "restored").getMetadata().getAnnotations()).containsEntry(CloneNames.ANN_CLONE_TYPE, "snapshot");
        DataVolume copied = dataVolume("vms", "copied");
        assertThat(copied.getMetadata().getAnnotations()).as("local-copy's profile asks for copy: no fallback")
                .containsEntry(CloneNames.ANN_CLONE_TYPE, "copy").doesNotContainKey(CloneNames.ANN_FALLBACK_REASON);
        assertThat(reasons("vms", "copied")).contains("CloneSucceeded");
        assertIdentical(disk("golden", "restored"), source);
        assertIdentical(disk("vms", "copied"), source);
        assertThat(Tools.allocated(disk("vms", "copied"))).isLessThanOrEqualTo(DATA + SLACK);
        assertNoTemporaries();
    }

    @Test
    void theSnapshotStrategySnapshotsTheSourceRestoresItAndLeavesNoSnapshotBehind() throws Exception {
        Path source = source("golden", "fedora", "Block", DATA);
        // a profile that asks for snapshots, as many CSI drivers' do
        local.client().resources(StorageProfile.class).withName("local-path").edit(profile -> {
            profile.getSpec().cloneStrategy = "snapshot";
            return profile;
        });
        apply("vms", "by-snapshot", "pvc: {namespace: golden, name: fedora}", "local-path", "Block", "4Gi");
        awaitPhase("vms", "by-snapshot", "Succeeded", Duration.ofSeconds(60));
        assertThat(dataVolume("vms", "by-snapshot").getMetadata().getAnnotations()).containsEntry(CloneNames.ANN_CLONE_TYPE, "snapshot");
        assertThat(reasons("vms", "by-snapshot")).contains("SnapshotForSmartCloneInProgress", "CloneSucceeded");
        assertIdentical(disk("vms", "by-snapshot"), source);
        assertThat(Tools.allocated(disk("vms", "by-snapshot"))).isLessThanOrEqualTo(DATA + SLACK);
        assertNoTemporaries();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                local.client().resources(VolumeSnapshotContent.class).list().getItems().isEmpty());
    }

    @Test
    void hostAssistedClonesStreamOnlyDataInEveryVolumeModePairing() throws Exception {
        Path fsSource = source("golden", "fs", "Filesystem", DATA);
        Path blockSource = source("golden", "block", "Block", DATA);
        apply("vms", "fs-to-fs", "pvc: {namespace: golden, name: fs}", "local-copy", "Filesystem", "8Gi");
        apply("vms", "block-to-block", "pvc: {namespace: golden, name: block}", "local-copy", "Block", "4Gi");
        apply("vms", "fs-to-block", "pvc: {namespace: golden, name: fs}", "local-copy", "Block", "4Gi");
        apply("vms", "block-to-fs", "pvc: {namespace: golden, name: block}", "local-copy", "Filesystem", "4Gi");
        for (String name : List.of("fs-to-fs", "block-to-block", "fs-to-block", "block-to-fs")) {
            awaitPhase("vms", name, "Succeeded", Duration.ofSeconds(120));
            DataVolume dv = dataVolume("vms", name);
            assertThat(dv.getMetadata().getAnnotations()).containsEntry(CloneNames.ANN_CLONE_TYPE, "copy");
            assertThat(dv.getStatus().progress).isEqualTo("100.0%");
            assertThat(reasons("vms", name)).contains("CloneSucceeded");
            assertIdentical(disk("vms", name), name.startsWith("fs") ? fsSource : blockSource);
            assertThat(Tools.allocated(disk("vms", name))).as(name).isLessThanOrEqualTo(DATA + SLACK);
        }
        assertThat(Files.size(disk("vms", "fs-to-fs"))).as("a larger target: the source's data, the rest sparse")
                .isGreaterThan(4 * GI);
        assertThat(Files.readString(dir.resolve("root/logs/golden/" + dataVolume("vms", "fs-to-fs").getMetadata().getUid()
                + "-source-pod.log"))).contains("Clone complete");
        assertNoTemporaries();
        assertThat(local.client().secrets().inAnyNamespace().list().getItems()).extracting(s -> s.getMetadata().getName())
                .as("each clone's certificates went with it").doesNotContain("cdi-upload-fs-to-fs-clone");
    }

    @Test
    void aSourceWrittenByARunningPodIsClonedOnlyOnceThePodIsGone() throws Exception {
        Path source = source("golden", "fedora", "Filesystem", DATA);
        // a VM's launcher, say: local mode cannot run its image, so it stays Pending — still a user that may write
        local.client().resource(new PodBuilder().withNewMetadata().withName("virt-launcher-fedora-x1b2c").withNamespace("golden")
                .endMetadata().withNewSpec().addNewContainer().withName("compute").withImage("example/launcher:1").endContainer()
                .addNewVolume().withName("disk").withNewPersistentVolumeClaim().withClaimName("fedora").endPersistentVolumeClaim()
                .endVolume().endSpec().build()).create();
        apply("vms", "waits", "pvc: {namespace: golden, name: fedora}", "local-path", "Filesystem", "4Gi");
        awaitPhase("vms", "waits", "CloneScheduled", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> reasons("vms", "waits").contains("CloneSourceInUse"));
        Thread.sleep(3000);
        assertThat(dataVolume("vms", "waits").getStatus().phase).isEqualTo("CloneScheduled");

        local.client().pods().inNamespace("golden").withName("virt-launcher-fedora-x1b2c").delete();
        awaitPhase("vms", "waits", "Succeeded", Duration.ofSeconds(60));
        assertIdentical(disk("vms", "waits"), source);
    }

    @Test
    void aDataSourceNamesTheGoldenImageDataVolumesCloneThroughIt() throws Exception {
        Path source = source("golden", "fedora", "Filesystem", DATA);
        goldenDataSource();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            DataSource ds = local.client().resources(DataSource.class).inNamespace("golden").withName("fedora").get();
            return ds.getStatus() != null && ds.getStatus().conditions != null
                    && ds.getStatus().conditions.stream().anyMatch(c -> "Ready".equals(c.type) && "True".equals(c.status));
        });
        local.client().resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata: {name: from-ref, namespace: vms}
                spec:
                  sourceRef: {kind: DataSource, namespace: golden, name: fedora}
                  storage: {}
                """, DataVolume.class)).create();
        awaitPhase("vms", "from-ref", "Succeeded", Duration.ofSeconds(60));
        assertIdentical(disk("vms", "from-ref"), source);
        assertThat(claim("vms", "from-ref").getSpec().getResources().getRequests().get("storage").toString())
                .as("no size given: the source's").isEqualTo("4Gi");
    }

    @Test
    void onXfsWithReflinkAClonesBlocksAreTheSourcesShared() throws Exception {
        local.close();
        try (XfsLoop xfs = XfsLoop.create(dir, 12 * GI)) {
            local = new LocalMode(xfs.root().resolve("root"), 0, 0);
            assertThat(local.reflinkSupported()).isTrue();
            Path source = source("golden", "fedora", "Filesystem", DATA);
            apply("vms", "instant", "pvc: {namespace: golden, name: fedora}", "local-path", "Filesystem", "4Gi");
            awaitPhase("vms", "instant", "Succeeded", Duration.ofSeconds(60));
            assertIdentical(disk("vms", "instant"), source);
            assertThat(XfsLoop.shared(disk("vms", "instant"))).as("filefrag -v shows shared extents").isTrue();
            assertThat(XfsLoop.shared(source)).isTrue();
            local.close();
            local = null;
        }
    }

    @Test
    void aVmsDataVolumeTemplateClonesThroughADataSourceInAnotherNamespace() throws Exception {
        Path source = source("golden", "fedora", "Filesystem", DATA);
        goldenDataSource();
        local.client().resource(Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: web, namespace: vms}
                spec:
                  runStrategy: Halted
                  dataVolumeTemplates:
                    - metadata: {name: web-root}
                      spec:
                        sourceRef: {kind: DataSource, namespace: golden, name: fedora}
                        storage: {}
                  template:
                    spec:
                      domain:
                        devices:
                          disks: [{name: root, disk: {}}]
                      volumes: [{name: root, dataVolume: {name: web-root}}]
                """, VirtualMachine.class)).create();
        awaitPhase("vms", "web-root", "Succeeded", Duration.ofSeconds(60));
        assertIdentical(disk("vms", "web-root"), source);
    }

    @Test
    void localModeKilledMidCloneFinishesItAfterARestartAndLeavesNothingBehind() throws Exception {
        Path source = source("golden", "big", "Filesystem", 512 * MI);
        apply("vms", "interrupted", "pvc: {namespace: golden, name: big}", "local-copy", "Filesystem", "4Gi");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                local.client().pods().inNamespace("vms").withName("cdi-upload-interrupted").get() != null);
        local.close();
        local = new LocalMode(dir.resolve("root"), 0, 0);
        awaitPhase("vms", "interrupted", "Succeeded", Duration.ofSeconds(120));
        assertIdentical(disk("vms", "interrupted"), source);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(this::assertNoTemporaries);
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse(""))
                .filter(args -> args.contains(dir.toString()) && (args.contains("CloneSourceMain") || args.contains("UploadServerMain")))
                .toList()).as("no worker process outlives its Pod").isEmpty();
    }

    /**
     * A {@code 4Gi} volume of the default class (its claim names none) from a blank DataVolume,
     * then {@code data} bytes of random data written across it as a VM would.
     */
    private Path source(String namespace, String name, String mode, long data) throws IOException {
        apply(namespace, name, "blank: {}", null, mode, "4Gi");
        awaitPhase(namespace, name, "Succeeded", Duration.ofSeconds(60));
        Path disk = disk(namespace, name);
        Random random = new Random(name.hashCode());
        byte[] chunk = new byte[(int) (4 * MI)];
        long chunks = data / chunk.length;
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            for (long i = 0; i < chunks; i++) {
                random.nextBytes(chunk);
                file.seek(i * (4 * GI - chunk.length) / Math.max(1, chunks - 1) / MI * MI);
                file.write(chunk);
            }
            file.getFD().sync();
        }
        return disk;
    }

    /** DataSource golden/fedora naming claim golden/fedora. */
    private void goldenDataSource() {
        local.client().resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataSource
                metadata: {name: fedora, namespace: golden}
                spec:
                  source:
                    pvc: {name: fedora}
                """, DataSource.class)).create();
    }

    private void apply(String namespace, String name, String source, String storageClass, String mode, String size) {
        String storage = "{volumeMode: " + mode + (storageClass == null ? "" : ", storageClassName: " + storageClass)
                + (size == null ? "" : ", resources: {requests: {storage: " + size + "}}") + "}";
        local.client().resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata: {name: %s, namespace: %s}
                spec:
                  source: {%s}
                  storage: %s
                """.formatted(name, namespace, source, storage), DataVolume.class)).create();
    }

    private void awaitPhase(String namespace, String name, String phase, Duration timeout) {
        KubernetesClient client = local.client();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(name).get();
                return dv != null && dv.getStatus() != null && phase.equals(dv.getStatus().phase);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(namespace + "/" + name + " did not reach " + phase + ": "
                    + Serialization.asYaml(client.resources(DataVolume.class).inNamespace(namespace).withName(name).get())
                    + Serialization.asYaml(client.pods().inAnyNamespace().list().getItems())
                    + Serialization.asYaml(client.persistentVolumeClaims().inAnyNamespace().list().getItems()), e);
        }
    }

    private DataVolume dataVolume(String namespace, String name) {
        return local.client().resources(DataVolume.class).inNamespace(namespace).withName(name).get();
    }

    private PersistentVolumeClaim claim(String namespace, String name) {
        return local.client().persistentVolumeClaims().inNamespace(namespace).withName(name).get();
    }

    /** The disk of a claim: its block volume's file, or disk.img in its filesystem volume. */
    private Path disk(String namespace, String name) {
        PersistentVolumeClaim pvc = claim(namespace, name);
        Path path = Path.of(local.client().persistentVolumes().withName(pvc.getSpec().getVolumeName()).get().getSpec().getLocal().getPath());
        return "Block".equals(pvc.getSpec().getVolumeMode()) ? path : path.resolve("disk.img");
    }

    private List<String> reasons(String namespace, String name) {
        return local.client().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    private static void assertIdentical(Path target, Path source) {
        Tools.Result compare = Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "raw", target.toString(), source.toString());
        assertThat(compare.exitCode()).as("%s and %s differ: %s", target, source, compare.output()).isZero();
    }

    /** No clone source or upload Pod, temporary claim or snapshot is left, in any namespace. */
    private void assertNoTemporaries() {
        KubernetesClient client = local.client();
        List<HasMetadata> left = Stream.<HasMetadata>concat(Stream.concat(
                client.pods().inAnyNamespace().list().getItems().stream(),
                client.persistentVolumeClaims().inAnyNamespace().list().getItems().stream()
                        .filter(c -> c.getMetadata().getName().startsWith("tmp-"))),
                client.resources(VolumeSnapshot.class).inAnyNamespace().list().getItems().stream()
                        .filter(s -> s.getMetadata().getName().startsWith("tmp-"))).toList();
        assertThat(left).extracting(o -> o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()).isEmpty();
    }
}
