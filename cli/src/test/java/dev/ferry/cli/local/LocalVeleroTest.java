package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.importer.testing.FaultyHttpServer;
import dev.ferry.local.app.LocalMode;
import dev.ferry.vmruntime.testing.AgentGuest;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stock Velero (CSI snapshots, no kubevirt-velero-plugin) backs up and restores a running Ferry VM,
 * played here step by step as Velero's documentation says it works, since no Velero runs on local
 * mode: the launcher Pod's pre hook, the namespace's objects listed (those labelled
 * {@code velero.io/exclude-from-backup} left out), a CSI VolumeSnapshot of each claim with its
 * content set to Retain, the post hook, the VolumeSnapshots deleted. Then the namespace and the
 * contents are deleted and everything restored in Velero's priority order with its metadata and
 * status stripping, the claims from pre-provisioned contents: the VM comes back running its disk
 * as the backup froze it, no importer ever created, the restored launcher Pod never run — in the
 * same namespace and in a new one.
 */
@Tag("slow")
class LocalVeleroTest {
    /** Velero's restore priorities (VEL pkg/cmd/server/config/config.go); everything else after them, alphabetically. */
    private static final List<String> PRIORITIES = List.of("persistentvolumeclaims", "secrets", "configmaps", "pods", "services");
    /** What the namespace holds: apiVersion, kind, resource. */
    private static final List<String[]> KINDS = List.of(new String[] {"v1", "Pod", "pods"},
            new String[] {"v1", "PersistentVolumeClaim", "persistentvolumeclaims"}, new String[] {"v1", "ConfigMap", "configmaps"},
            new String[] {"v1", "Secret", "secrets"}, new String[] {"v1", "Service", "services"},
            new String[] {"cdi.kubevirt.io/v1beta1", "DataVolume", "datavolumes.cdi.kubevirt.io"},
            new String[] {"kubevirt.io/v1", "VirtualMachine", "virtualmachines.kubevirt.io"},
            new String[] {"kubevirt.io/v1", "VirtualMachineInstance", "virtualmachineinstances.kubevirt.io"});

    @TempDir
    Path dir;
    private LocalMode local;
    private KubernetesClient client;
    private FaultyHttpServer images;

    /** One backed-up object, and the resource Velero sorts it by. */
    private record Item(String resource, GenericKubernetesResource object) {
    }

    /** A claim's CSI snapshot as the backup keeps it: the content's handle and driver. */
    private record Snapshot(String claim, String handle, String driver) {
    }

    private record Backup(List<Item> items, List<Snapshot> snapshots) {
    }

    @BeforeEach
    void setUp() throws Exception {
        Path served = Files.createDirectories(dir.resolve("images"));
        Files.copy(AgentGuest.qcow2(), served.resolve("guest.qcow2"));
        images = FaultyHttpServer.http(served);
        local = new LocalMode(dir.resolve("root"), 0, 0);
        // Velero talks to the API server as any client does: through local mode's front, which empties a deleted namespace
        client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(local.kubeconfig()))).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (local != null) {
            local.close();
        }
        if (images != null) {
            images.close();
        }
    }

    @Test
    void aRunningVmIsBackedUpAndRestoredByStockVeleroInPlaceAndIntoAnotherNamespace() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build()).create();
        client.resource(TestVms.agentVm("web", "prod", "{app: web}", "Always", """
                        source: {http: {url: "%s"}}
                        storage: {resources: {requests: {storage: 256Mi}}}
                """.formatted(images.url("guest.qcow2")))).create();
        Guests prod = new Guests(local, "prod");
        Path console = prod.awaitAgent("web");
        String launcher = prod.vmi("web").getStatus().launcherPod;
        assertThat(client.persistentVolumeClaims().inNamespace("prod").withName("web-root").get().getMetadata().getAnnotations())
                .as("what kubevirt-velero-plugin would add at backup, there already")
                .containsEntry("cdi.kubevirt.io/storage.populatedFor", "web-root");

        Guests.Hook pre = prod.hook("web", true);
        assertThat(pre.out()).contains("virt-freezer: prod/web frozen");
        int frozenAt = TestGuest.lastCounter(console);
        Backup backup = backUp("prod");
        Guests.Hook post = prod.hook("web", false);
        assertThat(post.out()).contains("virt-freezer: prod/web thawed");
        assertThat(backup.items()).extracting(i -> i.object().getKind() + "/" + i.object().getMetadata().getName())
                .contains("Pod/" + launcher, "PersistentVolumeClaim/web-root", "DataVolume/web-root", "VirtualMachine/web",
                        "VirtualMachineInstance/web")
                .noneMatch(name -> name.startsWith("Pod/importer-"));
        int gets = images.gets();

        // the disaster: the namespace goes, and the contents Velero made (Retain: their data stays)
        client.namespaces().withName("prod").delete();
        await("prod is gone").atMost(Duration.ofSeconds(120)).until(() -> client.namespaces().withName("prod").get() == null);
        for (VolumeSnapshotContent content : client.resources(VolumeSnapshotContent.class).list().getItems()) {
            client.resource(content).delete();
        }
        assertThat(backup.snapshots()).allSatisfy(s -> assertThat(Path.of(s.handle())).as("Retain keeps the data").exists());

        for (String namespace : List.of("prod", "dr")) {
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            try (Watch watch = watchPods(namespace, seen)) {
                restore(backup, namespace);
                verifyRestored(namespace, frozenAt, launcher, gets, seen);
            }
        }
    }

    private void verifyRestored(String namespace, int frozenAt, String launcher, int gets, ConcurrentLinkedQueue<String> seen)
            throws Exception {
        Guests restored = new Guests(local, namespace);
        Path after = restored.awaitAgent("web");
        assertThat(AgentGuest.counterAtBoot(Guests.log(after))).as("%s: the disk as the backup froze it", namespace)
                .isBetween(frozenAt - 1, frozenAt + 1);
        VirtualMachineInstance vmi = restored.vmi("web");
        assertThat(vmi.getMetadata().getOwnerReferences()).as("the VM's own VMI, not the restored one")
                .anySatisfy(o -> assertThat(o.getUid()).isEqualTo(restored.vm("web").getMetadata().getUid()));
        assertThat(vmi.getStatus().launcherPod).isNotEqualTo(launcher);
        await("the restored launcher Pod is gone").atMost(Duration.ofSeconds(30))
                .until(() -> client.pods().inNamespace(namespace).withName(launcher).get() == null);
        assertThat(seen).as("%s: pods seen during the restore", namespace)
                .noneMatch(s -> s.startsWith("importer-")).doesNotContain(launcher + " Running");
        DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName("web-root").get();
        assertThat(dv.getStatus().phase).isEqualTo("Succeeded");
        assertThat(images.gets()).as("nothing imported again").isEqualTo(gets);
        assertThat(restored.vm("web").getStatus().printableStatus).isEqualTo("Running");
    }

    /** Records each Pod name and phase the namespace shows. */
    private Watch watchPods(String namespace, ConcurrentLinkedQueue<String> seen) {
        return client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                seen.add(pod.getMetadata().getName() + (pod.getStatus() == null ? "" : " " + pod.getStatus().getPhase()));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    /** What Velero's backup does with CSI snapshots: list the namespace, snapshot every claim, keep the contents. */
    private Backup backUp(String namespace) {
        List<Item> items = new ArrayList<>();
        for (String[] kind : KINDS) {
            for (GenericKubernetesResource object : client.genericKubernetesResources(kind[0], kind[1]).inNamespace(namespace).list()
                    .getItems()) {
                Map<String, String> labels = object.getMetadata().getLabels();
                if (labels == null || !"true".equals(labels.get("velero.io/exclude-from-backup"))) {
                    items.add(new Item(kind[2], object));
                }
            }
        }
        List<Snapshot> snapshots = new ArrayList<>();
        for (Item item : items) {
            if (!"persistentvolumeclaims".equals(item.resource())) {
                continue;
            }
            String claim = item.object().getMetadata().getName();
            VolumeSnapshot vs = Serialization.unmarshal("""
                    apiVersion: snapshot.storage.k8s.io/v1
                    kind: VolumeSnapshot
                    metadata: {name: velero-%s, namespace: %s}
                    spec: {source: {persistentVolumeClaimName: %s}}
                    """.formatted(claim, namespace, claim), VolumeSnapshot.class);
            client.resource(vs).create();
            await(claim + " snapshotted").atMost(Duration.ofSeconds(60)).until(() -> {
                VolumeSnapshot now = client.resources(VolumeSnapshot.class).inNamespace(namespace).withName(vs.getMetadata().getName()).get();
                return now.getStatus() != null && Boolean.TRUE.equals(now.getStatus().readyToUse);
            });
            VolumeSnapshot taken = client.resources(VolumeSnapshot.class).inNamespace(namespace).withName(vs.getMetadata().getName()).get();
            VolumeSnapshotContent content = client.resources(VolumeSnapshotContent.class)
                    .withName(taken.getStatus().boundVolumeSnapshotContentName).edit(c -> {
                        c.getSpec().deletionPolicy = VolumeSnapshotContent.RETAIN;
                        return c;
                    });
            snapshots.add(new Snapshot(claim, content.getStatus().snapshotHandle, content.getSpec().driver));
            // Velero's CSI plugin deletes the VolumeSnapshot; the Retain content keeps the data
            client.resource(taken).delete();
        }
        return new Backup(items, snapshots);
    }

    /**
     * What Velero's restore does: pre-provisioned contents and VolumeSnapshots for the claims, then
     * every item in priority order (then alphabetically by resource), stripped as resetMetadata and
     * resetStatus strip, labelled with the backup and restore, Pods unscheduled, claims from their snapshot.
     */
    private void restore(Backup backup, String namespace) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        Map<String, String> snapshotOf = new LinkedHashMap<>();
        for (Snapshot s : backup.snapshots()) {
            String name = "velero-" + s.claim() + "-" + namespace;
            client.resource(Serialization.unmarshal("""
                    apiVersion: snapshot.storage.k8s.io/v1
                    kind: VolumeSnapshotContent
                    metadata: {name: %1$s}
                    spec:
                      deletionPolicy: Retain
                      driver: %2$s
                      source: {snapshotHandle: "%3$s"}
                      volumeSnapshotRef: {name: %1$s, namespace: %4$s}
                    """.formatted(name, s.driver(), s.handle(), namespace), VolumeSnapshotContent.class)).create();
            client.resource(Serialization.unmarshal("""
                    apiVersion: snapshot.storage.k8s.io/v1
                    kind: VolumeSnapshot
                    metadata: {name: %s, namespace: %s}
                    spec: {source: {volumeSnapshotContentName: %s}}
                    """.formatted(name, namespace, name), VolumeSnapshot.class)).create();
            snapshotOf.put(s.claim(), name);
        }
        List<Item> ordered = new ArrayList<>(backup.items());
        ordered.sort(java.util.Comparator.comparingInt((Item i) -> PRIORITIES.contains(i.resource())
                ? PRIORITIES.indexOf(i.resource()) : PRIORITIES.size()).thenComparing(Item::resource));
        for (Item item : ordered) {
            GenericKubernetesResource object = Serialization.clone(item.object());
            var meta = object.getMetadata();
            meta.setUid(null);
            meta.setResourceVersion(null);
            meta.setGeneration(null);
            meta.setCreationTimestamp(null);
            meta.setDeletionTimestamp(null);
            meta.setDeletionGracePeriodSeconds(null);
            meta.setOwnerReferences(null);
            meta.setSelfLink(null);
            meta.setGenerateName(null);
            meta.setManagedFields(null);
            meta.setNamespace(namespace);
            Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
            labels.put("velero.io/backup-name", "nightly");
            labels.put("velero.io/restore-name", "nightly-" + namespace);
            meta.setLabels(labels);
            object.getAdditionalProperties().remove("status");
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) object.getAdditionalProperties().get("spec");
            if ("pods".equals(item.resource())) {
                spec.remove("nodeName");
                spec.remove("priority");
            } else if ("persistentvolumeclaims".equals(item.resource())) {
                // Velero's CSI PVC restore action: provisioned anew from the VolumeSnapshot
                spec.remove("volumeName");
                Map<String, Object> source = Map.of("apiGroup", "snapshot.storage.k8s.io", "kind", "VolumeSnapshot",
                        "name", snapshotOf.get(meta.getName()));
                spec.put("dataSource", source);
                spec.put("dataSourceRef", source);
                if (meta.getAnnotations() != null) {
                    Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations());
                    annotations.keySet().removeAll(List.of("pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
                            "volume.kubernetes.io/selected-node"));
                    meta.setAnnotations(annotations);
                }
            }
            client.resource(object).create();
        }
    }
}
