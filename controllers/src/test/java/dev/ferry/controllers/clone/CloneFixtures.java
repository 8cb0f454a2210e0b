package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.controllers.datavolume.StorageDefaults;
import dev.ferry.controllers.testing.Cluster;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A clone's world for pure decision tests, built up field by field: the source claim (10Gi, bound,
 * populated, in {@code golden-images}) on driver {@code csi.example}, the DataVolume asking for
 * 10Gi in {@code vms}, storage classes and profiles as each test sets them.
 */
final class CloneFixtures {
    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    static final long GI = 1L << 30;

    DataVolume dv;
    SourceVolume source;
    String unauthorized;
    StorageClass targetClass = storageClass("fast", "csi.example", true);
    StorageProfile targetProfile;
    StorageProfile sourceProfile;
    List<VolumeSnapshotClass> snapshotClasses = new ArrayList<>(List.of(snapshotClass("csi-snap", "csi.example", true)));
    StorageClass snapshotDriverClass;
    PersistentVolumeClaim target;
    PersistentVolumeClaim tmpClaim;
    PersistentVolume tmpVolume;
    VolumeSnapshot tmpSnapshot;
    PersistentVolumeClaim tmpSourceClaim;
    Pod uploadPod;
    Service uploadService;
    Pod sourcePod;
    Double progress;

    static CloneFixtures pvcClone(String example) throws IOException {
        CloneFixtures f = new CloneFixtures();
        f.dv = Cluster.example(example, "vms");
        f.dv.getMetadata().setUid("dv-uid");
        f.dv.setStatus(new DataVolumeStatus());
        f.source = claimSource("golden-images", "fedora-39", "Filesystem", 10 * GI, List.of());
        return f;
    }

    CloneObserved observed() {
        return new CloneObserved(dv, source, unauthorized, targetClass, targetProfile, sourceProfile, snapshotClasses, snapshotDriverClass,
                StorageDefaults.cdiDefaults(), target, tmpClaim, tmpVolume, tmpSnapshot, tmpSourceClaim, uploadPod, uploadService,
                sourcePod, progress, NOW);
    }

    /** The last plan's status becomes the DataVolume's, as the reconciler writes it. */
    void wrote(ClonePlan plan) {
        dv.setStatus(plan.status());
        if (!plan.annotate().isEmpty()) {
            var annotations = new java.util.LinkedHashMap<>(dv.getMetadata().getAnnotations() == null ? java.util.Map.<String, String>of()
                    : dv.getMetadata().getAnnotations());
            annotations.putAll(plan.annotate());
            dv.getMetadata().setAnnotations(annotations);
        }
    }

    static SourceVolume claimSource(String namespace, String name, String mode, long size, List<String> users) {
        PersistentVolumeClaim pvc = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withUid("src-uid").endMetadata().withNewSpec().withStorageClassName("fast").withVolumeMode(mode)
                .withNewResources().addToRequests("storage", new Quantity(String.valueOf(size))).endResources().endSpec()
                .withNewStatus().withPhase("Bound").endStatus().build();
        return new SourceVolume(namespace, name, false, pvc, storageClass("fast", "csi.example", true), null, null, true, users);
    }

    static SourceVolume snapshotSource(String namespace, String name, String driver, long restoreSize, boolean ready) {
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.getMetadata().setName(name);
        vs.getMetadata().setNamespace(namespace);
        vs.setStatus(new VolumeSnapshot.Status());
        vs.getStatus().readyToUse = ready;
        vs.getStatus().boundVolumeSnapshotContentName = "snapcontent-1";
        VolumeSnapshotContent content = new VolumeSnapshotContent();
        content.getMetadata().setName("snapcontent-1");
        content.setSpec(new VolumeSnapshotContent.Spec());
        content.getSpec().driver = driver;
        content.getSpec().sourceVolumeMode = "Filesystem";
        content.setStatus(new VolumeSnapshotContent.Status());
        content.getStatus().restoreSize = restoreSize;
        return new SourceVolume(namespace, name, true, null, null, vs, content, true, List.of());
    }

    static StorageClass storageClass(String name, String provisioner, boolean expansion) {
        return new StorageClassBuilder().withNewMetadata().withName(name).endMetadata().withProvisioner(provisioner)
                .withAllowVolumeExpansion(expansion).withVolumeBindingMode("Immediate").build();
    }

    static StorageProfile profile(String strategy, String snapshotClass) {
        StorageProfile profile = new StorageProfile();
        profile.setStatus(new StorageProfile.Status());
        profile.getStatus().cloneStrategy = strategy;
        profile.getStatus().snapshotClass = snapshotClass;
        return profile;
    }

    static VolumeSnapshotClass snapshotClass(String name, String driver, boolean isDefault) {
        VolumeSnapshotClass vsc = new VolumeSnapshotClass();
        vsc.getMetadata().setName(name);
        vsc.driver = driver;
        if (isDefault) {
            vsc.getMetadata().setAnnotations(java.util.Map.of(VolumeSnapshotClass.DEFAULT_ANNOTATION, "true"));
        }
        return vsc;
    }

    /** {@code claim} bound to volume {@code pv}. */
    static PersistentVolumeClaim bound(PersistentVolumeClaim claim, String pv, String uid) {
        claim.getMetadata().setUid(uid);
        claim.getSpec().setVolumeName(pv);
        claim.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        return claim;
    }

    static PersistentVolumeClaim pending(PersistentVolumeClaim claim, String uid) {
        claim.getMetadata().setUid(uid);
        claim.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Pending").build());
        return claim;
    }

    static PersistentVolume volume(String name, String claimNamespace, String claim, String uid) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNewClaimRef()
                .withNamespace(claimNamespace).withName(claim).withUid(uid).endClaimRef().endSpec().build();
    }

    static Pod running(Pod pod, boolean ready) {
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("10.0.0.9").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().build());
        return pod;
    }

    static Pod phase(Pod pod, String phase, String terminationMessage) {
        pod.setStatus(new PodStatusBuilder().withPhase(phase).addNewContainerStatus().withName(pod.getSpec().getContainers().get(0).getName())
                .withNewState().withNewTerminated().withExitCode("Succeeded".equals(phase) ? 0 : 1).withMessage(terminationMessage)
                .withFinishedAt(NOW.toString()).endTerminated().endState().endContainerStatus().build());
        return pod;
    }
}
