package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.ContainerDisks;
import dev.ferry.importer.testing.DockerRegistry;
import dev.ferry.importer.testing.S3Server;
import dev.ferry.local.app.LocalMode;
import dev.ferry.local.storage.LocalPathStorage;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block volumes on local mode are real block devices, as a CSI driver's are: every source writes
 * into a loop device of exactly the claim's size — the image, then zeros to the end — and an
 * image larger than the device fails naming both sizes. Devices are attached again after a
 * restart and none outlives local mode.
 */
@Tag("slow")
class LocalBlockTest {
    private static final long CLAIM = 96L << 20;

    @TempDir
    Path dir;
    private LocalMode local;
    private HttpServer http;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("qemu-img");
        Tools.require("losetup");
        local = new LocalMode(dir.resolve("root"), 0, 0);
        http = StaticFiles.serve(Files.createDirectories(dir.resolve("www")), () -> 0);
    }

    @AfterEach
    void tearDown() {
        http.stop(0);
        if (local != null) {
            local.close();
        }
        assertThat(devicesUnder(dir)).as("local mode stopping leaves no loop device behind").isEmpty();
    }

    @Test
    void everySourceFillsADeviceOfTheClaimsSizeWithTheImageAndZeros() throws Exception {
        Path image = Images.scattered(dir.resolve("www"), "disk.qcow2", "");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", dir.resolve("www/big.qcow2").toString(), "200M");
        apply("http-block", "http: {url: \"http://127.0.0.1:%d/disk.qcow2\"}".formatted(http.getAddress().getPort()));
        apply("too-big", "http: {url: \"http://127.0.0.1:%d/big.qcow2\"}".formatted(http.getAddress().getPort()));
        apply("blank-block", "blank: {}");
        apply("async-block", "upload: {}");
        apply("form-block", "upload: {}");
        try (S3Server s3 = new S3Server(Files.createDirectories(dir.resolve("s3")));
             DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("registry")))) {
            MinioClient minio = MinioClient.builder().endpoint(s3.endpoint())
                    .credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY).region("us-east-1").build();
            minio.makeBucket(MakeBucketArgs.builder().bucket("images").build());
            minio.uploadObject(UploadObjectArgs.builder().bucket("images").object("disk.qcow2").filename(image.toString()).build());
            local.client().resource(new SecretBuilder().withNewMetadata().withName("s3-creds").withNamespace("default")
                    .endMetadata().addToStringData("accessKeyId", S3Server.ACCESS_KEY)
                    .addToStringData("secretKey", S3Server.SECRET_KEY).build()).create();
            apply("s3-block", "s3: {url: \"%s/images/disk.qcow2\", secretRef: s3-creds}".formatted(s3.endpoint()));
            registry.pushImage("vms/disk", "1", List.of(registry.pushBlob("vms/disk",
                    ContainerDisks.layer("disk/disk.qcow2", Files.readAllBytes(image)), ContainerDisks.LAYER)));
            apply("registry-block", "registry: {url: \"docker://%s/vms/disk:1\"}".formatted(registry.host()));

            FerryTestAccess.Result sync = FerryTestAccess.capture("image-upload", "dv", "sync-block", "--size", "96Mi",
                    "--block-volume", "--image-path", image.toString(), "--kubeconfig", local.kubeconfig().toString(),
                    "--wait-secs", "60", "--no-progress");
            assertThat(sync.exit()).as(sync.err()).isZero();
            upload("async-block", "/v1beta1/upload-async", "--data-binary", "@" + image, "-H", "Content-Type: application/octet-stream");
            upload("form-block", "/v1beta1/upload-form", "-F", "file=@" + image);

            for (String name : List.of("http-block", "s3-block", "registry-block", "blank-block", "sync-block", "async-block", "form-block")) {
                awaitPhase(name, "Succeeded");
            }
        }
        for (String name : List.of("http-block", "s3-block", "registry-block", "sync-block", "async-block", "form-block")) {
            assertDeviceHolds(name, image);
        }
        assertDeviceHolds("blank-block", null);

        awaitPhase("too-big", "Failed");
        DataVolume failed = dv("too-big");
        assertThat(failed.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Ready");
            assertThat(c.reason).isEqualTo("TargetTooSmall");
            assertThat(c.message).contains("200 MiB").contains("96 MiB");
        });
        assertThat(Tools.run("blockdev", "--getsize64", device("too-big").toString()).strip()).as("the device never changes size")
                .isEqualTo(String.valueOf(CLAIM));
    }

    @Test
    void blockVolumesAreAttachedAgainWhenLocalModeRestartsAndReleasedWithTheirClaims() throws Exception {
        Path image = Images.scattered(dir.resolve("www"), "disk.qcow2", "");
        apply("kept", "http: {url: \"http://127.0.0.1:%d/disk.qcow2\"}".formatted(http.getAddress().getPort()));
        awaitPhase("kept", "Succeeded");
        Path backing = Path.of(pv("kept").getSpec().getLocal().getPath());

        local.close();
        assertThat(devicesUnder(dir)).as("stopped: devices detached").isEmpty();
        local = new LocalMode(dir.resolve("root"), 0, 0);
        assertThat(local.blockVolumesAtStart()).singleElement().satisfies(line -> assertThat(line)
                .contains(pv("kept").getMetadata().getName()).contains("default/kept").contains(String.valueOf(CLAIM)));
        assertThat(local.loopDevices()).containsOnlyKeys(backing);
        Path device = Path.of(local.loopDevices().get(backing));
        assertThat(pv("kept").getMetadata().getAnnotations()).containsEntry(LocalPathStorage.LOOP_DEVICE_ANNOTATION, device.toString());
        assertDeviceHolds("kept", image);

        local.client().resource(dv("kept")).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> local.loopDevices().isEmpty() && !Files.exists(backing));
        assertThat(devicesUnder(dir)).isEmpty();
    }

    private void apply(String name, String source) {
        local.client().resource(Serialization.unmarshal("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata:
                  name: %s
                  namespace: default
                spec:
                  source:
                    %s
                  storage:
                    volumeMode: Block
                    accessModes: [ReadWriteOnce]
                    resources:
                      requests:
                        storage: 96Mi
                """.formatted(name, source), DataVolume.class)).create();
    }

    /** An upload through local mode's upload proxy with curl, as a user or a backup product does it. */
    private void upload(String name, String path, String... body) throws Exception {
        awaitPhase(name, "UploadReady");
        FerryTestAccess.Result token = FerryTestAccess.capture("upload-token", "--signing-key",
                dir.resolve("root/keys/token.key").toString(), "--pvc", name);
        assertThat(token.exit()).as(token.err()).isZero();
        List<String> curl = new java.util.ArrayList<>(List.of("curl", "-sS", "--fail-with-body", "-H",
                "Authorization: Bearer " + token.out().strip()));
        curl.addAll(List.of(body));
        curl.add(local.uploadProxyUrl() + path);
        Tools.run(curl.toArray(String[]::new));
    }

    /** The claim's device: exactly the claim's size, the image converted by qemu-img, then zeros (all zeros for no image). */
    private void assertDeviceHolds(String claim, Path image) throws Exception {
        Path device = device(claim);
        assertThat(device.toString()).startsWith("/dev/loop");
        assertThat(Tools.run("blockdev", "--getsize64", device.toString()).strip()).as("%s: the claim's size", claim)
                .isEqualTo(String.valueOf(CLAIM));
        long head = 0;
        if (image != null) {
            Path raw = dir.resolve(claim + ".raw");
            Tools.run("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
            head = Files.size(raw);
            assertThat(Tools.exec("cmp", "-n", String.valueOf(head), raw.toString(), device.toString()).exitCode())
                    .as("%s holds the image", claim).isZero();
        }
        assertThat(Tools.exec("cmp", "-i", head + ":0", "-n", String.valueOf(CLAIM - head), device.toString(), "/dev/zero").exitCode())
                .as("%s is zero past the image", claim).isZero();
    }

    private Path device(String claim) {
        return Path.of(pv(claim).getMetadata().getAnnotations().get(LocalPathStorage.LOOP_DEVICE_ANNOTATION));
    }

    private PersistentVolume pv(String claim) {
        String volume = local.client().persistentVolumeClaims().inNamespace("default").withName(claim).get().getSpec().getVolumeName();
        return local.client().persistentVolumes().withName(volume).get();
    }

    private DataVolume dv(String name) {
        return local.client().resources(DataVolume.class).inNamespace("default").withName(name).get();
    }

    private void awaitPhase(String name, String phase) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            DataVolume dv = dv(name);
            String now = dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
            if (!phase.equals("Failed")) {
                assertThat(now).as("%s: %s", name, dv == null ? null : Serialization.asYaml(dv.getStatus())).isNotEqualTo("Failed");
            }
            return phase.equals(now);
        });
    }

    /** Loop devices whose backing file lies under {@code root}. */
    static List<String> devicesUnder(Path root) {
        return Tools.run("losetup", "--noheadings", "--list", "--output", "NAME,BACK-FILE").lines().map(String::strip)
                .filter(l -> l.contains(" " + root)).toList();
    }
}
