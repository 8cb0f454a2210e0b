package dev.ferry.controllers.datavolume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CDI's example DataVolumes, unchanged, turn into the PVC and importer Pod the worker contract expects. */
class WorkerPodBuildersTest {
    private static final WorkerSettings SETTINGS = dev.ferry.controllers.testing.Settings.workers();

    @Test
    void httpWithStorageIsCompletedFromTheProfile() throws Exception {
        DataVolume dv = example("http-storage");

        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());

        assertThat(pvc.getMetadata().getName()).isEqualTo("fedora");
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(pvc.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("10836Mi"));
        assertThat(pvc.getMetadata().getAnnotations())
                .containsEntry("cdi.kubevirt.io/storage.bind.immediate.requested", "true");
        assertThat(pvc.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> {
                    assertThat(owner.getKind()).isEqualTo("DataVolume");
                    assertThat(owner.getController()).isTrue();
                });

        Pod pod = ImporterPodBuilder.build(dv, pvc, SETTINGS);

        assertThat(pod.getMetadata().getName()).isEqualTo("importer-fedora");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(env(pod)).containsEntry("FERRY_SOURCE_URL",
                        "https://download.example.org/fedora/Fedora-Cloud-Base-39.x86_64.qcow2")
                .containsEntry("FERRY_EXTRA_HEADERS", "X-First-Header: 12345\nX-Second-Header: abcde")
                .containsEntry("FERRY_SECRET_DIR", ImporterPodBuilder.SECRET_PATH)
                .containsEntry("FERRY_CERT_DIR", ImporterPodBuilder.CERT_PATH)
                .containsEntry("FERRY_IMAGE_SIZE", "10Gi")
                .containsEntry("FERRY_DATA_PATH", "/data")
                .containsEntry("FERRY_CONTENT_TYPE", "kubevirt");
        assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName())
                .containsExactly("data", "source-secret", "source-certs");
        assertThat(pod.getSpec().getVolumes().get(1).getSecret().getSecretName()).isEqualTo("endpoint-secret");
        assertThat(pod.getSpec().getVolumes().get(2).getConfigMap().getName()).isEqualTo("tls-certs");
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactly("/data", ImporterPodBuilder.SECRET_PATH, ImporterPodBuilder.CERT_PATH);
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getResources().getLimits().get("memory")).isEqualTo(new Quantity("384Mi"));
    }

    @Test
    void pvcFormIsUsedAsGivenAndBlockVolumesAreDevices() throws Exception {
        DataVolume dv = example("http-pvc");

        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Pod pod = ImporterPodBuilder.build(dv, pvc, SETTINGS);

        assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("64Mi"));
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("local");
        assertThat(pvc.getSpec().getVolumeMode()).isEqualTo("Block");
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getVolumeDevices()).singleElement()
                .satisfies(d -> assertThat(d.getDevicePath()).isEqualTo("/dev/ferry-block"));
        assertThat(container.getVolumeMounts()).isEmpty();
        assertThat(env(pod)).containsEntry("FERRY_BLOCK_PATH", "/dev/ferry-block")
                .containsEntry("FERRY_PREALLOCATION", "true").doesNotContainKey("FERRY_IMAGE_SIZE");
    }

    @Test
    void s3UrlsAreSplitIntoEndpointAndObject() throws Exception {
        DataVolume dv = example("s3");

        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        Pod pod = ImporterPodBuilder.build(dv, pvc, SETTINGS);

        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("nfs");
        assertThat(env(pod)).containsEntry("FERRY_S3_ENDPOINT", "https://s3.example.org")
                .containsEntry("FERRY_SOURCE_URL", "s3://bucket/images/disk.qcow2")
                .containsEntry("FERRY_SECRET_DIR", ImporterPodBuilder.SECRET_PATH);
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("vms");
    }

    @Test
    void registryPlatformAndArchiveChecksumReachTheWorker() throws Exception {
        Pod registry = pod(example("registry"));
        assertThat(env(registry)).containsEntry("FERRY_SOURCE_URL", "docker://registry.example.org/containerdisks/fedora:39")
                .containsEntry("FERRY_PLATFORM", "amd64");

        Pod archive = pod(example("archive-status"));
        assertThat(env(archive)).containsEntry("FERRY_CONTENT_TYPE", "archive")
                .containsEntry("FERRY_CHECKSUM", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

        assertThat(env(pod(example("blank")))).containsEntry("FERRY_SOURCE_URL", "blank:");
    }

    @Test
    void insecureRegistriesAreReachedOverPlainHttpOnlyWhenListed() throws Exception {
        DataVolume dv = example("registry");
        PersistentVolumeClaim pvc = PvcBuilder.build(dv, StorageDefaults.cdiDefaults());
        assertThat(env(ImporterPodBuilder.build(dv, pvc, SETTINGS))).doesNotContainKey("FERRY_INSECURE_TLS");
        assertThat(env(ImporterPodBuilder.build(dv, pvc, SETTINGS.withInsecureRegistries(List.of("registry.example.org")))))
                .containsEntry("FERRY_INSECURE_TLS", "true");
        assertThat(env(ImporterPodBuilder.build(dv, pvc, SETTINGS.withInsecureRegistries(List.of("registry.example.org:5000")))))
                .as("another port of the same host is another registry").doesNotContainKey("FERRY_INSECURE_TLS");
    }

    @Test
    void sourcesTheImporterDoesNotHandleAreRefusedWithAReason() {
        assertThatThrownBy(() -> pod(example("pvc-clone")))
                .isInstanceOf(ImportSource.UnsupportedSource.class).hasMessageContaining("source pvc");
        assertThatThrownBy(() -> pod(example("upload")))
                .isInstanceOf(ImportSource.UnsupportedSource.class).hasMessageContaining("source upload");
    }

    @Test
    void longNamesStayValidAndDeterministic() throws Exception {
        DataVolume dv = example("blank");
        dv.getMetadata().setName("a".repeat(60));

        String name = ImporterPodBuilder.podName(dv);

        assertThat(name).hasSizeLessThanOrEqualTo(63).startsWith("importer-aaaa").isEqualTo(ImporterPodBuilder.podName(dv));
    }

    @Test
    void overheadRoundsUpToWholeMebibytes() {
        assertThat(PvcBuilder.withOverhead(new Quantity("1Gi"), StorageDefaults.CDI_DEFAULT_OVERHEAD))
                .isEqualTo(new Quantity("1084Mi"));
        assertThat(PvcBuilder.withOverhead(new Quantity("1Gi"), java.math.BigDecimal.ZERO)).isEqualTo(new Quantity("1Gi"));
    }

    private static Pod pod(DataVolume dv) throws ImportSource.UnsupportedSource {
        return ImporterPodBuilder.build(dv, PvcBuilder.build(dv, StorageDefaults.cdiDefaults()), SETTINGS);
    }

    private static Map<String, String> env(Pod pod) {
        return pod.getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b, java.util.LinkedHashMap::new));
    }

    private static DataVolume example(String name) throws Exception {
        try (InputStream in = WorkerPodBuildersTest.class.getResourceAsStream("/cdi-examples/" + name + ".yaml")) {
            DataVolume dv = Serialization.unmarshal(in, DataVolume.class);
            dv.getMetadata().setUid("uid-" + name);
            if (dv.getMetadata().getNamespace() == null) {
                dv.getMetadata().setNamespace("default");
            }
            return dv;
        }
    }
}
