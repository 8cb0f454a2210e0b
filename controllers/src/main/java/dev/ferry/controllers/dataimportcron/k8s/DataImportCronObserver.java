package dev.ferry.controllers.dataimportcron.k8s;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.controllers.clone.CloneAdmission;
import dev.ferry.controllers.clone.CloneStrategy;
import dev.ferry.controllers.clone.k8s.CloneWebhook;
import dev.ferry.controllers.clone.k8s.SubjectAccess;
import dev.ferry.controllers.dataimportcron.CronNames;
import dev.ferry.controllers.dataimportcron.CronObjects;
import dev.ferry.controllers.dataimportcron.DataImportCronDecision;
import dev.ferry.controllers.dataimportcron.DicObserved;
import dev.ferry.controllers.runtime.k8s.DefaultStorageClass;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Everything one reconcile of a DataImportCron reads: its poller, the source claim (claim
 * templates), the import for the desired digest (DataVolume, claim, snapshot), every import it
 * labelled, the managed DataSource, how the target class keeps golden images, and whether the
 * cron's service account may clone a claim source.
 */
final class DataImportCronObserver {
    private final KubernetesClient client;
    private final CloneAdmission access;
    private final Clock clock;

    DataImportCronObserver(KubernetesClient client, Clock clock) {
        this.client = client;
        this.access = CloneAdmission.checkOnly(new SubjectAccess(client), CloneWebhook.dataSources(client));
        this.clock = clock;
    }

    DicObserved observe(DataImportCron cron) {
        String namespace = cron.getMetadata().getNamespace();
        DicObserved.Poll poll = poll(client.pods().inNamespace(namespace).withName(CronNames.poller(cron)).get());
        DataVolumeSource source = cron.getSpec() == null || cron.getSpec().template == null || cron.getSpec().template.spec == null
                ? null : cron.getSpec().template.spec.source;
        String claimDigest = null;
        String unauthorized = null;
        if (source != null && source.pvc != null) {
            String claimNamespace = source.pvc.namespace == null || source.pvc.namespace.isEmpty() ? namespace : source.pvc.namespace;
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(claimNamespace).withName(source.pvc.name).get();
            claimDigest = claim == null ? null : CronNames.UID_PREFIX + claim.getMetadata().getUid();
            unauthorized = access.refusal(CronObjects.templateVolume(cron), namespace, serviceAccount(cron));
        }
        String desired = DataImportCronDecision.desiredDigest(cron, poll, claimDigest);
        String name = desired == null || cron.getSpec().managedDataSource == null ? null : CronNames.importName(cron, desired);
        List<HasMetadata> imports = new ArrayList<>();
        String label = cron.getMetadata().getName();
        imports.addAll(client.resources(DataVolume.class).inNamespace(namespace).withLabel(CronNames.LABEL_CRON, label).list().getItems());
        imports.addAll(client.persistentVolumeClaims().inNamespace(namespace).withLabel(CronNames.LABEL_CRON, label).list().getItems());
        imports.addAll(optional(() -> client.resources(VolumeSnapshot.class).inNamespace(namespace)
                .withLabel(CronNames.LABEL_CRON, label).list().getItems()));
        String storageClass = storageClass(cron);
        StorageProfile profile = storageClass == null ? null : client.resources(StorageProfile.class).withName(storageClass).get();
        String format = profile == null || profile.getStatus() == null || profile.getStatus().dataImportCronSourceFormat == null
                ? DataImportCron.FORMAT_PVC : profile.getStatus().dataImportCronSourceFormat;
        String snapshotClass = null;
        if (DataImportCron.FORMAT_SNAPSHOT.equals(format)) {
            StorageClass sc = client.storage().v1().storageClasses().withName(storageClass).get();
            snapshotClass = sc == null ? null : CloneStrategy.snapshotClass(sc.getProvisioner(), profile, profile,
                    optional(() -> client.resources(VolumeSnapshotClass.class).list().getItems()));
        }
        return new DicObserved(cron, clock.instant(), poll, claimDigest,
                name == null ? null : client.resources(DataVolume.class).inNamespace(namespace).withName(name).get(),
                name == null ? null : client.persistentVolumeClaims().inNamespace(namespace).withName(name).get(),
                name == null ? null : snapshot(namespace, name),
                imports, cron.getSpec() == null || cron.getSpec().managedDataSource == null ? null
                        : client.resources(DataSource.class).inNamespace(namespace).withName(cron.getSpec().managedDataSource).get(),
                format, snapshotClass, unauthorized);
    }

    private static DicObserved.Poll poll(Pod pod) {
        if (pod == null) {
            return null;
        }
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
        TerminationMessage result = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? null
                : pod.getStatus().getContainerStatuses().stream()
                        .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
                        .map(c -> TerminationMessage.parse(c.getState().getTerminated().getMessage()))
                        .filter(java.util.Objects::nonNull).findFirst().orElse(null);
        return new DicObserved.Poll(phase, result);
    }

    /** The class imports land in: the template's, else the cluster's default. */
    private String storageClass(DataImportCron cron) {
        var spec = cron.getSpec() == null || cron.getSpec().template == null ? null : cron.getSpec().template.spec;
        if (spec != null && spec.storage != null && spec.storage.storageClassName != null) {
            return spec.storage.storageClassName;
        }
        if (spec != null && spec.pvc != null && spec.pvc.getStorageClassName() != null) {
            return spec.pvc.getStorageClassName();
        }
        return DefaultStorageClass.name(client);
    }

    private VolumeSnapshot snapshot(String namespace, String name) {
        try {
            return client.resources(VolumeSnapshot.class).inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** The cron's service account as the API server names it (KubeVirt's and CDI's AuthorizeSA). */
    static io.fabric8.kubernetes.api.model.authentication.UserInfo serviceAccount(DataImportCron cron) {
        String namespace = cron.getMetadata().getNamespace();
        String account = cron.getSpec().serviceAccountName == null || cron.getSpec().serviceAccountName.isEmpty() ? "default"
                : cron.getSpec().serviceAccountName;
        return new UserInfoBuilder().withUsername("system:serviceaccount:" + namespace + ":" + account)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated").build();
    }

    /** What a call to the snapshot API returns; nothing when the cluster does not serve it. */
    private static <T> List<T> optional(Supplier<List<T>> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of();
            }
            throw e;
        }
    }
}
