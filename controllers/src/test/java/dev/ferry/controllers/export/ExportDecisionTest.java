package dev.ferry.controllers.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.testing.VmFixtures;
import dev.ferry.worker.WorkerPods;
import dev.ferry.worker.env.ExportServerEnv;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A VirtualMachineExport's life as a pure decision: from its source to a Ready server with links, InUse, snapshots, TTL, deletion. */
class ExportDecisionTest {
    private static final Instant CREATED = Instant.parse("2026-12-07T10:00:00Z");
    private static final Secret TOKEN = secret("export-token-backup", Map.of("token", "t0k3n"));
    private static final Secret TLS = secret("virt-export-backup-tls", Map.of("ca.crt", "CA", "tls.crt", "C", "tls.key", "K"));

    @Test
    void aClaimIsServedByItsOwnServerWithKubeVirtsStatus() {
        VirtualMachineExport export = export("PersistentVolumeClaim", "disk", null);
        Map<String, PersistentVolumeClaim> claims = Map.of("disk", claim("disk", "Bound"));
        ExportPlan first = ExportDecision.decide(observed(export, claims, null, null, null, null, null), Settings.workers());
        assertThat(first.addFinalizer()).isTrue();
        assertThat(first.create()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("export-token-backup");
            assertThat(new String(Base64.getDecoder().decode(((Secret) s).getData().get("token")))).isEqualTo("random");
        });

        ExportPlan certificate = ExportDecision.decide(observed(export, claims, TOKEN, null, null, null, null), Settings.workers());
        assertThat(certificate.issueCertificate()).isTrue();

        ExportPlan serve = ExportDecision.decide(observed(export, claims, TOKEN, TLS, null, null, null), Settings.workers());
        assertThat(serve.create()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("Secret/virt-export-backup-manifests", "Pod/virt-export-backup", "Service/virt-export-backup");
        Pod pod = (Pod) serve.create().get(1);
        ExportServerEnv env = ExportServerEnv.fromEnv(pod.getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue)));
        assertThat(env.volumes()).containsOnlyKeys("disk");
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue());
        Service service = (Service) serve.create().get(2);
        assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(443);
        assertThat(serve.status().phase).isEqualTo("Pending");
        assertThat(serve.status().links).as("no links before the server answers").isNull();

        Pod running = new PodBuilder(pod).editMetadata().addToAnnotations(WorkerPods.ANN_SERVICE_PORT, "41234").endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        ExportPlan ready = ExportDecision.decide(observed(export, claims, TOKEN, TLS, secret("virt-export-backup-manifests", Map.of()),
                running, service), Settings.workers());
        assertThat(ready.create()).isEmpty();
        VirtualMachineExport.Status status = ready.status();
        assertThat(status.phase).isEqualTo("Ready");
        assertThat(status.serviceName).isEqualTo("virt-export-backup");
        assertThat(status.tokenSecretRef).isEqualTo("export-token-backup");
        assertThat(status.ttlExpirationTime).isEqualTo("2026-12-07T12:00:00Z");
        assertThat(status.links.internal.cert).isEqualTo("CA");
        assertThat(status.links.internal.volumes.get(0).formats).extracting(f -> f.url).containsExactly(
                "https://virt-export-backup.vms.svc/volumes/disk/disk.img", "https://virt-export-backup.vms.svc/volumes/disk/disk.img.gz");
        assertThat(status.links.internal.manifests).extracting(m -> m.type + " " + m.url).containsExactly(
                "all https://virt-export-backup.vms.svc/internal/manifests/all",
                "auth-header-secret https://virt-export-backup.vms.svc/internal/manifests/secret");
        assertThat(status.links.external.volumes.get(0).formats.get(0).url).isEqualTo("https://127.0.0.1:41234/volumes/disk/disk.img");
        assertThat(status.conditions).extracting(c -> c.type + "=" + c.status).containsExactly("Ready=True", "PVCReady=True");
    }

    @Test
    void aRunningVmIsInUseAndAMissingSourceOrTokenSecretWaits() {
        VirtualMachineExport export = export("VirtualMachine", "web", null);
        ExportObserved running = new ExportObserved(export, VmFixtures.vm("web", "Always"), true, null, null, Map.of(), TOKEN, TLS, null,
                null, null, CREATED.plusSeconds(5), "random");
        ExportPlan plan = ExportDecision.decide(running, Settings.workers());
        assertThat(plan.status().phase).isEqualTo("Pending");
        assertThat(plan.status().conditions).singleElement().satisfies(c -> {
            assertThat(c.type + "=" + c.status + " " + c.reason).isEqualTo("Ready=False InUse");
            assertThat(c.message).contains("VirtualMachine web is running");
        });
        assertThat(plan.create()).isEmpty();

        VirtualMachineExport named = export("PersistentVolumeClaim", "disk", null);
        named.getSpec().tokenSecretRef = "mine";
        ExportPlan missing = ExportDecision.decide(observed(named, Map.of("disk", claim("disk", "Bound")), null, null, null, null, null),
                Settings.workers());
        assertThat(missing.create()).as("a named token Secret is the user's to make").isEmpty();
        assertThat(missing.status().conditions.get(0).reason).isEqualTo("TokenSecretMissing");
    }

    @Test
    void aSnapshotIsRestoredIntoClaimsOfTheExport() {
        VirtualMachineExport export = export("VirtualMachineSnapshot", "snap", null);
        VirtualMachineSnapshot snapshot = new VirtualMachineSnapshot();
        snapshot.setMetadata(new ObjectMetaBuilder().withName("snap").withNamespace("vms").build());
        snapshot.setStatus(new VirtualMachineSnapshot.Status());
        snapshot.getStatus().readyToUse = true;
        VirtualMachineSnapshotContent content = new VirtualMachineSnapshotContent();
        content.setSpec(new VirtualMachineSnapshotContent.Spec());
        VirtualMachineSnapshotContent.VolumeBackup backup = new VirtualMachineSnapshotContent.VolumeBackup();
        backup.volumeName = "root";
        backup.volumeSnapshotName = "vmsnapshot-1-volume-root";
        backup.persistentVolumeClaim = new VirtualMachineSnapshotContent.ClaimTemplate();
        backup.persistentVolumeClaim.metadata = new ObjectMetaBuilder().withName("web-root").build();
        backup.persistentVolumeClaim.spec = claim("web-root", "Bound").getSpec();
        content.getSpec().volumeBackups = List.of(backup);
        ExportPlan plan = ExportDecision.decide(new ExportObserved(export, null, false, snapshot, content, Map.of(), TOKEN, TLS, null, null,
                null, CREATED.plusSeconds(5), "random"), Settings.workers());
        assertThat(plan.create()).singleElement().satisfies(o -> {
            PersistentVolumeClaim pvc = (PersistentVolumeClaim) o;
            assertThat(pvc.getMetadata().getName()).isEqualTo("backup-web-root");
            assertThat(pvc.getSpec().getDataSource().getName()).isEqualTo("vmsnapshot-1-volume-root");
            assertThat(pvc.getMetadata().getLabels()).containsEntry("velero.io/exclude-from-backup", "true");
        });
        assertThat(plan.status().conditions).extracting(c -> c.type + "=" + c.status)
                .contains("VolumesCreated=False", "PVCReady=False");
    }

    @Test
    void theTtlEndsTheExportAndDeletionRemovesWhatItMade() {
        VirtualMachineExport export = export("PersistentVolumeClaim", "disk", "1m");
        export.getMetadata().setFinalizers(new java.util.ArrayList<>(List.of(ExportDecision.FINALIZER)));
        Pod pod = new PodBuilder().withNewMetadata().withName("virt-export-backup").endMetadata().build();
        ExportObserved late = new ExportObserved(export, null, false, null, null, Map.of("disk", claim("disk", "Bound")), TOKEN, TLS, null,
                pod, null, CREATED.plusSeconds(61), "random");
        ExportPlan expired = ExportDecision.decide(late, Settings.workers());
        assertThat(expired.deleteExport()).isTrue();
        assertThat(expired.delete()).extracting(HasMetadata::getMetadata).extracting(m -> m.getName())
                .containsExactlyInAnyOrder("virt-export-backup", "virt-export-backup-tls", "export-token-backup");
        assertThat(expired.removeFinalizer()).isFalse();

        export.getMetadata().setDeletionTimestamp(CREATED.plusSeconds(62).toString());
        ExportPlan gone = ExportDecision.decide(new ExportObserved(export, null, false, null, null, Map.of("disk", claim("disk", "Bound")),
                null, null, null, null, null, CREATED.plusSeconds(63), "random"), Settings.workers());
        assertThat(gone.delete()).as("the user's claim stays").isEmpty();
        assertThat(gone.removeFinalizer()).isTrue();
    }

    private static ExportObserved observed(VirtualMachineExport export, Map<String, PersistentVolumeClaim> claims, Secret token, Secret tls,
            Secret manifests, Pod pod, Service service) {
        return new ExportObserved(export, null, false, null, null, claims, token, tls, manifests, pod, service, CREATED.plusSeconds(5),
                "random");
    }

    private static VirtualMachineExport export(String kind, String name, String ttl) {
        VirtualMachineExport export = new VirtualMachineExport();
        export.setMetadata(new ObjectMetaBuilder().withName("backup").withNamespace("vms").withUid("export-uid")
                .withCreationTimestamp(CREATED.toString()).build());
        export.setSpec(new VirtualMachineExport.Spec());
        export.getSpec().source = new ObjectReference("PersistentVolumeClaim".equals(kind) ? ""
                : "VirtualMachine".equals(kind) ? "kubevirt.io" : "snapshot.kubevirt.io", kind, name);
        export.getSpec().ttlDuration = ttl;
        return export;
    }

    private static PersistentVolumeClaim claim(String name, String phase) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("vms").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage",
                        new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    private static Secret secret(String name, Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace("vms").endMetadata()
                .withData(data.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                        e -> Base64.getEncoder().encodeToString(e.getValue().getBytes())))).build();
    }
}
