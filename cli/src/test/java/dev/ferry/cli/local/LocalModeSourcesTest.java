package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.local.app.LocalMode;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.ContainerDisks;
import dev.ferry.importer.testing.DockerRegistry;
import dev.ferry.importer.testing.S3Server;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode imports from the other real sources: S3 (S3Proxy, credentials in a Secret the local
 * node writes as files) and an OCI registry (Debian's docker-registry, containerDisk layout).
 */
class LocalModeSourcesTest {
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
        local.close();
    }

    @Test
    void anS3ImportWithCredentialsFromASecret() throws Exception {
        Path image = Images.scattered(dir, "s3.qcow2", "");
        try (S3Server s3 = new S3Server(Files.createDirectories(dir.resolve("s3")))) {
            MinioClient minio = MinioClient.builder().endpoint(s3.endpoint())
                    .credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY).region("us-east-1").build();
            minio.makeBucket(MakeBucketArgs.builder().bucket("images").build());
            minio.uploadObject(UploadObjectArgs.builder().bucket("images").object("fedora.qcow2").filename(image.toString()).build());
            local.client().resource(new SecretBuilder().withNewMetadata().withName("s3-creds").withNamespace("default")
                    .endMetadata().addToStringData("accessKeyId", S3Server.ACCESS_KEY)
                    .addToStringData("secretKey", S3Server.SECRET_KEY).build()).create();
            apply("""
                    apiVersion: cdi.kubevirt.io/v1beta1
                    kind: DataVolume
                    metadata:
                      name: from-s3
                      namespace: default
                    spec:
                      source:
                        s3:
                          url: "%s/images/fedora.qcow2"
                          secretRef: s3-creds
                      storage:
                        resources:
                          requests:
                            storage: 64Mi
                    """.formatted(s3.endpoint()));
            awaitSucceeded("from-s3");
        }
        assertIdentical("from-s3", image);
    }

    @Test
    void aContainerDiskFromALocalRegistry() throws Exception {
        Tools.require("docker-registry");
        Path image = Images.scattered(dir, "registry.qcow2", "");
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("registry")))) {
            registry.pushImage("vms/fedora", "39", List.of(registry.pushBlob("vms/fedora",
                    ContainerDisks.layer("disk/fedora.qcow2", Files.readAllBytes(image)), ContainerDisks.LAYER)));
            apply("""
                    apiVersion: cdi.kubevirt.io/v1beta1
                    kind: DataVolume
                    metadata:
                      name: from-registry
                      namespace: default
                    spec:
                      source:
                        registry:
                          url: "docker://%s/vms/fedora:39"
                      storage:
                        resources:
                          requests:
                            storage: 64Mi
                    """.formatted(registry.host()));
            awaitSucceeded("from-registry");
        }
        assertIdentical("from-registry", image);
    }

    private void apply(String yaml) {
        local.client().resource(Serialization.unmarshal(yaml, DataVolume.class)).create();
    }

    private void awaitSucceeded(String name) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            DataVolume dv = local.client().resources(DataVolume.class).inNamespace("default").withName(name).get();
            String phase = dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
            assertThat(phase).as("%s: %s", name, dv == null ? null : Serialization.asYaml(dv.getStatus())).isNotEqualTo("Failed");
            return "Succeeded".equals(phase);
        });
    }

    private void assertIdentical(String name, Path image) {
        String volume = local.client().persistentVolumeClaims().inNamespace("default").withName(name).get().getSpec().getVolumeName();
        PersistentVolume pv = local.client().persistentVolumes().withName(volume).get();
        Path disk = Path.of(pv.getSpec().getLocal().getPath()).resolve("disk.img");
        assertThat(Tools.exec("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk.toString(), image.toString())
                .exitCode()).isZero();
    }
}
