package dev.ferry.local.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.disk.testing.Tools;
import dev.ferry.snapshot.testing.XfsLoop;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local storage as a CSI driver with clone and snapshot capabilities, on the mock API server: a
 * claim from a claim, a snapshot, a claim from the snapshot — by sparse copy on ext4 and by reflink
 * on XFS, compared bit for bit; a class without those capabilities refuses with an event.
 */
@EnableKubernetesMockClient(crud = true)
class LocalStorageTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static final String NS = "golden";

    @TempDir
    Path dir;
    private LocalPathStorage storage;

    @BeforeEach
    void setUp() throws Exception {
        Cluster.installCrds(client);
    }

    @AfterEach
    void tearDown() {
        client.persistentVolumeClaims().inNamespace(NS).list().getItems().forEach(p -> client.resource(p).delete());
        client.resources(VolumeSnapshot.class).inNamespace(NS).list().getItems().forEach(v -> client.resource(v).delete());
        client.resources(VolumeSnapshotContent.class).list().getItems().forEach(c -> client.resource(c).delete());
        client.persistentVolumes().list().getItems().forEach(p -> client.resource(p).delete());
        if (storage != null) {
            storage.close();
        }
        // whatever a failed test left attached under its directory
        Tools.run("losetup", "--noheadings", "--list", "--output", "NAME,BACK-FILE").lines().map(String::strip)
                .filter(l -> l.contains(" " + dir)).forEach(l -> Tools.exec("losetup", "--detach", l.split("\\s+")[0]));
    }

    @Test
    void clonesSnapshotsAndRestoresBySparseCopy() throws Exception {
        start(dir.resolve("root"));
        assertThat(storage.reflinkSupported()).as("ext4").isFalse();
        Path golden = goldenDisk("golden", "4Gi", 64);

        PersistentVolumeClaim clone = claim("clone", "4Gi", "local-path", "PersistentVolumeClaim", null, "golden");
        client.resource(clone).create();
        Path copy = awaitBound("clone").resolve("disk.img");
        assertThat(Tools.exec("cmp", golden.toString(), copy.toString()).exitCode()).isZero();
        assertThat(Tools.allocated(copy)).as("a 4 GiB disk holding 64 MiB allocates ~64 MiB").isLessThan(70L << 20);

        VolumeSnapshot vs = snapshot("golden-snap", "golden");
        client.resource(vs).create();
        VolumeSnapshot ready = await().atMost(Duration.ofSeconds(30)).until(() -> {
            storage.sync();
            return client.resources(VolumeSnapshot.class).inNamespace(NS).withName("golden-snap").get();
        }, s -> s.getStatus() != null && Boolean.TRUE.equals(s.getStatus().readyToUse));
        VolumeSnapshotContent content = client.resources(VolumeSnapshotContent.class).withName(ready.getStatus().boundVolumeSnapshotContentName).get();
        assertThat(content.getSpec().driver).isEqualTo(StorageClasses.PROVISIONER);
        assertThat(content.getStatus().restoreSize).isEqualTo(4L << 30);
        assertThat(ready.getStatus().restoreSize.toString()).isEqualTo(String.valueOf(4L << 30));

        client.resource(claim("restored", "4Gi", "local-path", "VolumeSnapshot", "snapshot.storage.k8s.io", "golden-snap")).create();
        Path restored = awaitBound("restored").resolve("disk.img");
        assertThat(Tools.exec("cmp", golden.toString(), restored.toString()).exitCode()).isZero();

        Path data = Path.of(content.getStatus().snapshotHandle);
        client.resource(ready).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            storage.sync();
            return client.resources(VolumeSnapshotContent.class).withName(content.getMetadata().getName()).get() == null;
        });
        assertThat(data).as("deletionPolicy Delete takes the data too").doesNotExist();
    }

    @Test
    void onXfsEveryCopyIsAReflink() throws Exception {
        try (XfsLoop xfs = XfsLoop.create(dir, 8L << 30)) {
            start(xfs.root().resolve("root"));
            assertThat(storage.reflinkSupported()).isTrue();
            Path golden = goldenDisk("golden", "1Gi", 16);
            client.resource(claim("clone", "1Gi", "local-path", "PersistentVolumeClaim", null, "golden")).create();
            Path copy = awaitBound("clone").resolve("disk.img");
            assertThat(Tools.exec("cmp", golden.toString(), copy.toString()).exitCode()).isZero();
            assertThat(XfsLoop.shared(copy)).isTrue();
            storage.close();
            client.persistentVolumeClaims().inNamespace(NS).list().getItems().forEach(p -> client.resource(p).delete());
            storage.sync();
        }
    }

    @Test
    void storageWithoutClonesAndMissingClassesSayWhy() throws Exception {
        start(dir.resolve("root"));
        goldenDisk("golden", "1Gi", 1);
        client.resource(claim("copy", "1Gi", "local-copy", "PersistentVolumeClaim", null, "golden")).create();
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("nowhere").withNamespace(NS).endMetadata()
                .withNewSpec().withStorageClassName("local").withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build()).create();
        storage.sync();
        storage.sync();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("copy").get().getSpec().getVolumeName()).isNull();
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("ProvisioningFailed");
            assertThat(e.getMessage()).contains("local-copy").contains("supports neither volume clones nor snapshots");
        }).anySatisfy(e -> assertThat(e.getMessage()).isEqualTo("storageclass.storage.k8s.io \"local\" not found"));
    }

    @Test
    void blockClaimsAreLoopDevicesOfExactlyTheirSizeReattachedAfterARestartAndReleasedWithTheVolume() throws Exception {
        Path root = dir.resolve("root");
        start(root);
        client.resource(claim("dev", "100Mi", "local-path", null, null, null, "Block")).create();
        Path device = awaitDevice("dev");
        assertThat(device.toString()).startsWith("/dev/loop");
        assertThat(Tools.run("blockdev", "--getsize64", device.toString()).strip()).isEqualTo(String.valueOf(100L << 20));
        PersistentVolume pv = client.persistentVolumes().withName(client.persistentVolumeClaims().inNamespace(NS).withName("dev").get()
                .getSpec().getVolumeName()).get();
        assertThat(pv.getMetadata().getAnnotations()).containsEntry(LocalPathStorage.LOOP_DEVICE_ANNOTATION, device.toString());
        Path backing = Path.of(pv.getSpec().getLocal().getPath());
        assertThat(Files.size(backing)).isEqualTo(100L << 20);
        byte[] mark = "written through the device".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (RandomAccessFile disk = new RandomAccessFile(device.toFile(), "rw")) {
            disk.seek(50L << 20);
            disk.write(mark);
            disk.getFD().sync();
        }

        storage.close();
        assertThat(attachedTo(backing)).as("local mode stopping detaches its devices").isEmpty();
        // a crashed run's leftovers: the volume attached twice, and a device over a file no volume owns
        Tools.run("losetup", "--find", "--show", backing.toString());
        Tools.run("losetup", "--find", "--show", backing.toString());
        Path stray = root.resolve("volumes").resolve("pvc-gone.img");
        try (RandomAccessFile file = new RandomAccessFile(stray.toFile(), "rw")) {
            file.setLength(1 << 20);
        }
        Tools.run("losetup", "--find", "--show", stray.toString());
        storage = new LocalPathStorage(client, root, Clock.systemUTC());
        java.util.List<String> report = storage.attachBlockVolumes();
        assertThat(attachedTo(backing)).as("one device reused, the duplicate released").hasSize(1);
        assertThat(attachedTo(stray)).as("a device no volume owns is released").isEmpty();
        assertThat(report).anySatisfy(line -> assertThat(line).contains("released").contains("pvc-gone.img"))
                .anySatisfy(line -> assertThat(line).contains(pv.getMetadata().getName()).contains(NS + "/dev"));
        Path again = storage.path(NS, "dev");
        assertThat(again).isEqualTo(Path.of(attachedTo(backing).get(0)));
        byte[] read = new byte[mark.length];
        try (RandomAccessFile disk = new RandomAccessFile(again.toFile(), "r")) {
            disk.seek(50L << 20);
            disk.readFully(read);
        }
        assertThat(read).isEqualTo(mark);

        // detached behind local storage's back: never handed out again, attached anew and named on the volume
        Tools.run("losetup", "--detach", again.toString());
        Path anew = storage.path(NS, "dev");
        assertThat(attachedTo(backing)).containsExactly(anew.toString());
        assertThat(client.persistentVolumes().withName(pv.getMetadata().getName()).get().getMetadata().getAnnotations())
                .containsEntry(LocalPathStorage.LOOP_DEVICE_ANNOTATION, anew.toString());

        client.resource(client.persistentVolumeClaims().inNamespace(NS).withName("dev").get()).delete();
        storage.sync();
        assertThat(attachedTo(backing)).as("released with its volume").isEmpty();
        assertThat(backing).doesNotExist();
    }

    @Test
    void aBlockClaimIsRoundedUpToWholeMebibytesAndSaysSoAsACsiDriverDoes() throws Exception {
        start(dir.resolve("root"));
        client.resource(claim("odd", "100M", "local-path", null, null, null, "Block")).create();
        Path device = awaitDevice("odd");
        assertThat(Tools.run("blockdev", "--getsize64", device.toString()).strip()).isEqualTo(String.valueOf(96L << 20));
        PersistentVolumeClaim bound = client.persistentVolumeClaims().inNamespace(NS).withName("odd").get();
        assertThat(bound.getStatus().getCapacity().get("storage")).hasToString("96Mi");
        assertThat(client.persistentVolumes().withName(bound.getSpec().getVolumeName()).get().getSpec().getCapacity().get("storage"))
                .hasToString("96Mi");
        assertThat(LocalPathStorage.deviceSize(1)).isEqualTo(1L << 20);
        assertThat(LocalPathStorage.deviceSize(1L << 20)).isEqualTo(1L << 20);
    }

    /** The loop devices attached to {@code file}. */
    private static java.util.List<String> attachedTo(Path file) throws Exception {
        return Tools.run("losetup", "--noheadings", "--output", "NAME", "--associated", file.toString()).lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private Path awaitDevice(String name) throws IOException {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            storage.sync();
            return storage.path(NS, name) != null;
        });
        return storage.path(NS, name);
    }

    private void start(Path root) throws Exception {
        storage = new LocalPathStorage(client, root, Clock.systemUTC());
        storage.install();
    }

    /** A bound local-path claim whose disk.img holds {@code dataMiB} of random data spread over its size. */
    private Path goldenDisk(String name, String size, int dataMiB) throws Exception {
        client.resource(claim(name, size, "local-path", null, null, null)).create();
        Path disk = awaitBound(name).resolve("disk.img");
        long bytes = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(size))
                .longValue();
        byte[] piece = new byte[1 << 20];
        Random random = new Random(7);
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(bytes);
            for (int i = 0; i < dataMiB; i++) {
                random.nextBytes(piece);
                file.seek(i * (bytes / dataMiB));
                file.write(piece);
            }
        }
        return disk;
    }

    private Path awaitBound(String name) throws IOException {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            storage.sync();
            return storage.path(NS, name) != null;
        });
        Path path = storage.path(NS, name);
        assertThat(Files.isDirectory(path)).isTrue();
        return path;
    }

    private static PersistentVolumeClaim claim(String name, String size, String storageClass, String kind, String group, String from) {
        return claim(name, size, storageClass, kind, group, from, "Filesystem");
    }

    private static PersistentVolumeClaim claim(String name, String size, String storageClass, String kind, String group, String from,
            String mode) {
        PersistentVolumeClaimBuilder claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .endMetadata().withNewSpec().withStorageClassName(storageClass).withAccessModes("ReadWriteOnce")
                .withVolumeMode(mode).withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity(size)).endResources().endSpec();
        if (kind != null) {
            claim.editSpec().withNewDataSource().withKind(kind).withApiGroup(group).withName(from).endDataSource().endSpec();
        }
        return claim.build();
    }

    private static VolumeSnapshot snapshot(String name, String claim) {
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.getMetadata().setName(name);
        vs.getMetadata().setNamespace(NS);
        vs.setSpec(new VolumeSnapshot.Spec());
        vs.getSpec().source = new VolumeSnapshot.Source();
        vs.getSpec().source.persistentVolumeClaimName = claim;
        return vs;
    }
}
