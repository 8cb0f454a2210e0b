package dev.ferry.local.storage;

import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * Local mode's storage classes, their StorageProfiles and the snapshot class, as a CSI driver with
 * clone and snapshot capabilities would publish them: {@code local-path} (the default, Immediate)
 * and {@code local-path-wffc} (WaitForFirstConsumer) clone and snapshot — by reflink where the
 * data root shares blocks, else by sparse copy; {@code local-copy} is a driver without either, so
 * clones into it are host-assisted, as on storage that cannot clone.
 */
public final class StorageClasses {
    public static final String CLASS = "local-path";
    public static final String CLASS_WFFC = "local-path-wffc";
    public static final String CLASS_COPY = "local-copy";
    public static final String PROVISIONER = "ferry.kubevirt.dev/local-path";
    public static final String PROVISIONER_COPY = "ferry.kubevirt.dev/local-copy";
    public static final String SNAPSHOT_CLASS = "local-snapshots";

    private StorageClasses() {
    }

    static boolean clonable(String provisioner) {
        return PROVISIONER.equals(provisioner);
    }

    static void install(KubernetesClient client) {
        storageClass(client, CLASS, PROVISIONER, "Immediate", true);
        storageClass(client, CLASS_WFFC, PROVISIONER, "WaitForFirstConsumer", false);
        storageClass(client, CLASS_COPY, PROVISIONER_COPY, "Immediate", false);
        VolumeSnapshotClass snapshots = new VolumeSnapshotClass();
        snapshots.getMetadata().setName(SNAPSHOT_CLASS);
        snapshots.getMetadata().setAnnotations(java.util.Map.of(VolumeSnapshotClass.DEFAULT_ANNOTATION, "true"));
        snapshots.driver = PROVISIONER;
        snapshots.deletionPolicy = "Delete";
        client.resource(snapshots).createOr(existing -> existing.update());
        profile(client, CLASS, PROVISIONER, StorageProfile.CSI_CLONE, SNAPSHOT_CLASS);
        profile(client, CLASS_WFFC, PROVISIONER, StorageProfile.CSI_CLONE, SNAPSHOT_CLASS);
        profile(client, CLASS_COPY, PROVISIONER_COPY, StorageProfile.COPY, null);
    }

    private static void storageClass(KubernetesClient client, String name, String provisioner, String binding, boolean isDefault) {
        StorageClassBuilder sc = new StorageClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withProvisioner(provisioner).withVolumeBindingMode(binding).withReclaimPolicy("Delete").withAllowVolumeExpansion(true);
        if (isDefault) {
            sc.editMetadata().addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata();
        }
        client.storage().v1().storageClasses().resource(sc.build()).createOr(existing -> existing.update());
    }

    private static void profile(KubernetesClient client, String name, String provisioner, String cloneStrategy, String snapshotClass) {
        StorageProfile profile = new StorageProfile();
        profile.getMetadata().setName(name);
        profile.setSpec(new StorageProfile.Spec());
        client.resource(profile).createOr(existing -> existing.update());
        profile = client.resources(StorageProfile.class).withName(name).get();
        StorageProfile.Status status = new StorageProfile.Status();
        status.storageClass = name;
        status.provisioner = provisioner;
        status.cloneStrategy = cloneStrategy;
        status.snapshotClass = snapshotClass;
        status.dataImportCronSourceFormat = "pvc";
        StorageProfile.ClaimPropertySet set = new StorageProfile.ClaimPropertySet();
        set.accessModes = List.of("ReadWriteOnce");
        set.volumeMode = "Filesystem";
        status.claimPropertySets = List.of(set);
        status.filesystemOverhead = "0";
        profile.setStatus(status);
        client.resource(profile).updateStatus();
    }
}
