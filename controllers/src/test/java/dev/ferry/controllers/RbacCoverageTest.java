package dev.ferry.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.controllers.app.Controllers;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.controllers.clone.CloneTokens;
import dev.ferry.controllers.clone.k8s.CloneAuthority;
import dev.ferry.controllers.clone.k8s.CloneWebhook;
import dev.ferry.controllers.dataimportcron.CronNames;
import dev.ferry.controllers.dataimportcron.k8s.DataImportCronReconciler;
import dev.ferry.controllers.datasource.k8s.DataSourceReconciler;
import dev.ferry.controllers.datavolume.DataVolumeDecision;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.datavolume.k8s.DataVolumeControllers;
import dev.ferry.controllers.datavolume.k8s.DataVolumeReconciler;
import dev.ferry.controllers.migration.k8s.MigrationReconciler;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.runtime.k8s.Leadership;
import dev.ferry.controllers.schedule.ScheduleCounters;
import dev.ferry.controllers.schedule.k8s.ScheduleReconcilers;
import dev.ferry.controllers.snapshot.k8s.RestoreReconciler;
import dev.ferry.controllers.snapshot.k8s.SnapshotReconciler;
import dev.ferry.controllers.snapshot.k8s.SnapshotWebhook;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.testing.Settings;
import dev.ferry.controllers.testing.VmTesting;
import dev.ferry.controllers.upload.k8s.ClusterAuthorization;
import dev.ferry.controllers.vm.k8s.VmReconciler;
import dev.ferry.controllers.vmclone.k8s.VmCloneReconciler;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.controllers.vmi.k8s.VmiReconciler;
import dev.ferry.worker.TerminationMessage;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The controller's RBAC covers every API call it makes: the controller runs its scenarios with
 * its own client, every request it sends is recorded by the mock API server and translated to
 * (verb, group, resource), and each must be granted by manifests/base/rbac-controller.yaml.
 */
@EnableKubernetesMockClient(crud = true)
class RbacCoverageTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static final String AGENT = "ferry-controller-under-test";
    private static final Pattern PATH = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/([^/]+))?/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?");

    @Test
    void everyCallTheControllerMakesIsGranted() throws Exception {
        Cluster.installCrds(client);
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("standard")
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                .withProvisioner("x").withVolumeBindingMode("WaitForFirstConsumer").build()).create();
        client.secrets().inNamespace("ferry-system").resource(new SecretBuilder().withNewMetadata()
                .withName("ferry-upload-server-tls").endMetadata().addToData("tls.crt", "eA==").build()).create();
        KubernetesClient controller = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent(AGENT).build()).build();
        DataVolumeReconciler reconciler = new DataVolumeReconciler(controller, Settings.workers(),
                "ferry-system", new WorkerProgress(), Clock.systemUTC());

        for (String example : List.of("http-storage", "upload", "sourceref")) {
            DataVolume example0 = Cluster.example(example, "vms");
            if (example0.getMetadata().getAnnotations() == null) {
                example0.getMetadata().setAnnotations(new java.util.HashMap<>());
            }
            example0.getMetadata().getAnnotations().put(dev.ferry.api.cdi.v1beta1.Annotations.IMMEDIATE_BIND, "true");
            DataVolume dv = client.resource(example0).create();
            String name = dv.getMetadata().getName();
            reconciler.reconcile("vms", name);
            reconciler.reconcile("vms", name);
            var pod = client.pods().inNamespace("vms").list().getItems().stream()
                    .filter(p -> p.getMetadata().getName().endsWith(name)).findFirst();
            if (pod.isPresent()) {
                Cluster.terminated(client, pod.get(), true, "{\"outcome\":\"Succeeded\"}", Instant.now());
                reconciler.reconcile("vms", name);
            }
            client.resource(client.resources(DataVolume.class).inNamespace("vms").withName(name).get()).delete();
            reconciler.reconcile("vms", name);
        }
        try (var informers = DataVolumeControllers.controller(reconciler)) {
            informers.start(controller);
            await().atMost(Duration.ofSeconds(10)).until(informers::synced);
        }
        vmScenario(controller);
        cloneScenario(controller);
        cronScenario(controller);
        snapshotScenario(controller);
        scheduleScenario(controller);
        ClusterAuthorization authorization = new ClusterAuthorization(controller);
        authorization.allowed("alice", List.of(), "vms");
        authorization.authenticate("some-token");
        try (Leadership leadership = new Leadership(controller, "ferry-system", "ferry-controller", "a",
                Duration.ofSeconds(2), () -> { }, () -> { })) {
            // acquired (get, create), then renewed at least once (patch)
            var leases = client.leases().inNamespace("ferry-system").withName("ferry-controller");
            await().atMost(Duration.ofSeconds(10)).until(() -> leases.get() != null);
            String acquired = leases.get().getSpec().getRenewTime().toString();
            await().atMost(Duration.ofSeconds(10)).until(() -> !acquired.equals(leases.get().getSpec().getRenewTime().toString()));
        }

        Set<String> calls = new TreeSet<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (AGENT.equals(request.getHeader("User-Agent"))) {
                calls.add(call(request));
            }
        }
        System.out.println("controller API calls: " + calls);
        assertThat(calls).as("the scenarios exercised the controller").hasSizeGreaterThan(15);
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode document : ManifestsTest.documents(ManifestsTest.MANIFESTS.resolve("base/rbac-controller.yaml"))) {
            if (document.path("kind").asText().endsWith("Role") && !document.path("kind").asText().endsWith("Binding")
                    && document.path("metadata").path("name").asText().startsWith("ferry-controller")) {
                document.path("rules").forEach(rules::add);
            }
        }
        assertThat(calls).allSatisfy(call -> assertThat(granted(rules, call)).as("RBAC grants %s", call).isTrue());
    }

    /** A VM with a DataVolume template started, its VMI launched and migrated, then the VM deleted. */
    private static void vmScenario(KubernetesClient controller) throws Exception {
        VmSettings settings = Settings.vms();
        VmReconciler vms = new VmReconciler(controller, Clock.systemUTC());
        VmiReconciler vmis = new VmiReconciler(controller, settings, Clock.systemUTC(), Settings.suffixes());
        MigrationReconciler migrations = new MigrationReconciler(controller, settings, Clock.systemUTC(), Settings.suffixes());
        VirtualMachine vm = client.resource(VmTesting.vm("rbac", "Always", "ReadWriteMany")).create();
        vms.reconcile("vms", "rbac");
        VmTesting.dataVolumeSucceeded(client, "vms", "rbac-root", "ReadWriteMany");
        vms.reconcile("vms", "rbac");
        vmis.reconcile("vms", "rbac");
        vmis.reconcile("vms", "rbac");
        Pod pod = client.pods().inNamespace("vms").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("virt-launcher-rbac")).findFirst().orElseThrow();
        Cluster.running(client, pod, "10.0.0.9", true);
        vmis.reconcile("vms", "rbac");
        VmTesting.vmiRunning(client, "vms", "rbac");
        vms.reconcile("vms", "rbac");
        VirtualMachineInstanceMigration m = new VirtualMachineInstanceMigration();
        m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("rbac-move").withNamespace("vms").build());
        m.setSpec(new VirtualMachineInstanceMigration.Spec());
        m.getSpec().vmiName = "rbac";
        client.resource(m).create();
        migrations.reconcile("vms", "rbac-move");
        migrations.reconcile("vms", "rbac-move");
        client.resources(VirtualMachineInstanceMigration.class).inNamespace("vms").withName("rbac-move").delete();
        migrations.reconcile("vms", "rbac-move");
        client.resource(vm).delete();
        vms.reconcile("vms", "rbac");
        vmis.reconcile("vms", "rbac");
        vms.reconcile("vms", "rbac");
        var informers = new Controllers(controller, Settings.workers(), settings, "ferry-system", Clock.systemUTC()).all();
        informers.forEach(c -> c.start(controller));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> informers.stream().allMatch(c -> c.synced()));
        } finally {
            informers.forEach(c -> c.close());
        }
    }

    /**
     * Clones from golden-images into vms: a snapshot clone (snapshot, temporary claim, rebind) and
     * a host-assisted one (certificates, upload server, source Pod), one deleted after it ended;
     * the webhook's SubjectAccessReview and the DataSource controller.
     */
    private static void cloneScenario(KubernetesClient controller) throws Exception {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("other").endMetadata()
                .withProvisioner("y").withVolumeBindingMode("Immediate").build()).create();
        VolumeSnapshotClass snapshotClass = new VolumeSnapshotClass();
        snapshotClass.getMetadata().setName("snap");
        snapshotClass.driver = "x";
        client.resource(snapshotClass).create();
        PersistentVolumeClaim source = client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("fedora-39")
                .withNamespace("golden-images").endMetadata().withNewSpec().withStorageClassName("standard").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
        bind(source, "pv-source");
        DataVolumeReconciler reconciler = new DataVolumeReconciler(controller, Settings.workers(), "ferry-system", new WorkerProgress(),
                Clock.systemUTC());
        CloneTokens tokens = new CloneAuthority(client, "ferry-system", Clock.systemUTC()).tokens();

        DataVolume snapshotClone = cloneDataVolume("snap-clone", "standard", tokens);
        reconciler.reconcile("vms", "snap-clone");
        VolumeSnapshot snapshot = client.resources(VolumeSnapshot.class).inNamespace("golden-images").list().getItems().get(0);
        snapshot.setStatus(new VolumeSnapshot.Status());
        snapshot.getStatus().readyToUse = true;
        client.resource(snapshot).updateStatus();
        reconciler.reconcile("vms", "snap-clone");
        PersistentVolumeClaim tmp = client.persistentVolumeClaims().inNamespace("golden-images")
                .withName(CloneNames.tmpClaim(snapshotClone)).get();
        client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName("pv-tmp").endMetadata()
                .withNewSpec().withNewClaimRef().withNamespace("golden-images").withName(tmp.getMetadata().getName())
                .withUid(tmp.getMetadata().getUid()).endClaimRef().endSpec().build()).create();
        bind(tmp, "pv-tmp");
        reconciler.reconcile("vms", "snap-clone");
        reconciler.reconcile("vms", "snap-clone");
        bind(client.persistentVolumeClaims().inNamespace("vms").withName("snap-clone").get(), "pv-tmp");
        reconciler.reconcile("vms", "snap-clone");
        assertThat(client.resources(DataVolume.class).inNamespace("vms").withName("snap-clone").get().getStatus().phase)
                .isEqualTo("Succeeded");

        cloneDataVolume("copy-clone", "other", tokens);
        reconciler.reconcile("vms", "copy-clone");
        bind(client.persistentVolumeClaims().inNamespace("vms").withName("copy-clone").get(), "pv-copy");
        reconciler.reconcile("vms", "copy-clone");
        Pod upload = client.pods().inNamespace("vms").withName("cdi-upload-copy-clone").get();
        Cluster.running(client, upload, "10.0.0.7", true);
        reconciler.reconcile("vms", "copy-clone");
        Cluster.terminated(client, client.pods().inNamespace("vms").withName("cdi-upload-copy-clone").get(), true,
                "{\"outcome\":\"Succeeded\"}", Instant.now());
        reconciler.reconcile("vms", "copy-clone");
        client.resources(DataVolume.class).inNamespace("vms").withName("copy-clone").delete();
        reconciler.reconcile("vms", "copy-clone");

        DataSource ds = new DataSource();
        ds.getMetadata().setName("fedora");
        ds.getMetadata().setNamespace("golden-images");
        ds.setSpec(new DataSource.Spec());
        ds.getSpec().source = new DataSource.Source();
        ds.getSpec().source.pvc = new DataVolumeSource.ObjectRef();
        ds.getSpec().source.pvc.name = "fedora-39";
        client.resource(ds).create();
        new DataSourceReconciler(controller, Clock.systemUTC()).reconcile("golden-images", "fedora");
        CloneWebhook.of(controller, new CloneAuthority(controller, "ferry-system", Clock.systemUTC())).review(("{\"apiVersion\":"
                + "\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"1\",\"operation\":\"CREATE\","
                + "\"namespace\":\"vms\",\"userInfo\":{\"username\":\"alice\"},\"object\":"
                + Serialization.asJson(Cluster.example("pvc-clone", "vms")) + "}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A DataImportCron polled, importing, pointing its DataSource, then deleted with retention policy None. */
    private static void cronScenario(KubernetesClient controller) throws Exception {
        DataImportCron cron;
        try (var in = RbacCoverageTest.class.getResourceAsStream("/cdi-examples/dataimportcron.yaml")) {
            cron = Serialization.unmarshal(in, DataImportCron.class);
        }
        cron.getSpec().retentionPolicy = "None";
        client.resource(cron).create();
        DataImportCronReconciler crons = new DataImportCronReconciler(controller, Settings.workers(), Clock.systemUTC());
        crons.reconcile("golden", "fedora-image-cron");
        cron = client.resources(DataImportCron.class).inNamespace("golden").withName("fedora-image-cron").get();
        Pod poller = client.pods().inNamespace("golden").withName(CronNames.poller(cron)).get();
        Cluster.terminated(client, poller, true, TerminationMessage.digest("sha256:" + "ab".repeat(32), "found").toJson(), Instant.now());
        crons.reconcile("golden", "fedora-image-cron");
        DataVolume imported = client.resources(DataVolume.class).inNamespace("golden").withName("fedora-abababababab").get();
        imported.setStatus(new dev.ferry.api.cdi.v1beta1.DataVolumeStatus());
        imported.getStatus().phase = "Succeeded";
        client.resource(imported).updateStatus();
        crons.reconcile("golden", "fedora-image-cron");
        assertThat(client.resources(DataSource.class).inNamespace("golden").withName("fedora").get()).isNotNull();
        client.resources(DataImportCron.class).inNamespace("golden").withName("fedora-image-cron").delete();
        crons.reconcile("golden", "fedora-image-cron");
    }

    /**
     * A stopped VM snapshotted (lock, content, VolumeSnapshot, unlock), restored into a new VM
     * (claims from the snapshots, the VM), cloned by a VirtualMachineClone (its own snapshot and
     * restore), then the snapshot deleted.
     */
    private static void snapshotScenario(KubernetesClient controller) throws Exception {
        client.resource(VmTesting.vm("snapme", "Halted", "ReadWriteOnce")).create();
        PersistentVolumeClaim root = client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("snapme-root")
                .withNamespace("vms").endMetadata().withNewSpec().withStorageClassName("standard").withAccessModes("ReadWriteOnce")
                .withVolumeMode("Filesystem").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                .endSpec().build()).create();
        bind(root, "pv-snapme");
        new VmReconciler(controller, Clock.systemUTC()).reconcile("vms", "snapme");
        VmTesting.dataVolumeSucceeded(client, "vms", "snapme-root", "ReadWriteOnce");
        SnapshotReconciler snapshots = new SnapshotReconciler(controller, Clock.systemUTC());
        RestoreReconciler restores = new RestoreReconciler(controller, Clock.systemUTC());
        VmCloneReconciler clones = new VmCloneReconciler(controller, Clock.systemUTC(), () -> "x1y2z");
        client.resource(Serialization.unmarshal("""
                apiVersion: snapshot.kubevirt.io/v1beta1
                kind: VirtualMachineSnapshot
                metadata: {name: snap-1, namespace: vms}
                spec:
                  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: snapme}
                """, VirtualMachineSnapshot.class)).create();
        driveSnapshot(snapshots, "snap-1");
        client.resource(Serialization.unmarshal("""
                apiVersion: snapshot.kubevirt.io/v1beta1
                kind: VirtualMachineRestore
                metadata: {name: restore-1, namespace: vms}
                spec:
                  target: {apiGroup: kubevirt.io, kind: VirtualMachine, name: restored}
                  virtualMachineSnapshotName: snap-1
                """, VirtualMachineRestore.class)).create();
        driveRestore(restores, "restore-1");
        assertThat(client.resources(VirtualMachine.class).inNamespace("vms").withName("restored").get()).isNotNull();

        client.resource(Serialization.unmarshal("""
                apiVersion: clone.kubevirt.io/v1beta1
                kind: VirtualMachineClone
                metadata: {name: clone-1, namespace: vms}
                spec:
                  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: snapme}
                  target: {apiGroup: kubevirt.io, kind: VirtualMachine, name: cloned}
                """, VirtualMachineClone.class)).create();
        for (int i = 0; i < 12; i++) {
            clones.reconcile(new ObjectKey("vms", "clone-1"));
            VirtualMachineClone clone = client.resources(VirtualMachineClone.class).inNamespace("vms").withName("clone-1").get();
            if (clone.getStatus() != null && clone.getStatus().snapshotName != null) {
                driveSnapshot(snapshots, clone.getStatus().snapshotName);
            }
            if (clone.getStatus() != null && clone.getStatus().restoreName != null) {
                driveRestore(restores, clone.getStatus().restoreName);
            }
        }
        assertThat(client.resources(VirtualMachineClone.class).inNamespace("vms").withName("clone-1").get().getStatus().phase)
                .isEqualTo(VirtualMachineClone.SUCCEEDED);
        client.resources(VirtualMachineSnapshot.class).inNamespace("vms").withName("snap-1").delete();
        snapshots.reconcile(new ObjectKey("vms", "snap-1"));
        snapshots.reconcile(new ObjectKey("vms", "snap-1"));
        new SnapshotWebhook(namespace -> controller.resources(VirtualMachineRestore.class).inNamespace(namespace).list().getItems())
                .review(("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"2\","
                        + "\"operation\":\"CREATE\",\"namespace\":\"vms\",\"kind\":{\"group\":\"snapshot.kubevirt.io\","
                        + "\"version\":\"v1beta1\",\"kind\":\"VirtualMachineRestore\"},\"object\":"
                        + Serialization.asJson(client.resources(VirtualMachineRestore.class).inNamespace("vms").withName("restore-1").get())
                        + "}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Two schedules found due (their recorded next run has passed): a VM schedule snapshots the VMs
     * of vms and a snapscheduler schedule the claims, each expiring by count what it made before.
     */
    private static void scheduleScenario(KubernetesClient controller) throws Exception {
        // the two runs' scheduled times two minutes apart, so their snapshots' names (minute stamps) differ
        String past = Instant.now().minusSeconds(180).toString();
        VirtualMachineSnapshotSchedule vmss = client.resource(Serialization.unmarshal("""
                apiVersion: ferry.kubevirt.dev/v1alpha1
                kind: VirtualMachineSnapshotSchedule
                metadata: {name: often, namespace: vms}
                spec:
                  schedule: "* * * * *"
                  retention: {maxCount: 1}
                """, VirtualMachineSnapshotSchedule.class)).create();
        vmss.setStatus(new VirtualMachineSnapshotSchedule.Status());
        vmss.getStatus().nextSnapshotTime = past;
        client.resource(vmss).updateStatus();
        SnapshotSchedule claims = client.resource(Serialization.unmarshal("""
                apiVersion: snapscheduler.backube/v1
                kind: SnapshotSchedule
                metadata: {name: hourly, namespace: vms}
                spec:
                  schedule: "@hourly"
                  retention: {maxCount: 1}
                """, SnapshotSchedule.class)).create();
        claims.setStatus(new SnapshotSchedule.Status());
        claims.getStatus().nextSnapshotTime = past;
        client.resource(claims).updateStatus();
        ScheduleCounters counters = new ScheduleCounters();
        Reconciler vmSchedules = ScheduleReconcilers.vms(controller, Clock.systemUTC(), counters);
        Reconciler claimSchedules = ScheduleReconcilers.claims(controller, Clock.systemUTC(), counters);
        vmSchedules.reconcile(new ObjectKey("vms", "often"));
        claimSchedules.reconcile(new ObjectKey("vms", "hourly"));
        assertThat(client.resources(VirtualMachineSnapshot.class).inNamespace("vms")
                .withLabel(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE, "often").list().getItems()).isNotEmpty();
        assertThat(client.resources(VolumeSnapshot.class).inNamespace("vms").withLabel(SnapshotSchedule.LABEL_SCHEDULE, "hourly")
                .list().getItems()).isNotEmpty();
        // done, and due again: the new snapshots replace the old ones (maxCount 1)
        for (VirtualMachineSnapshot taken : client.resources(VirtualMachineSnapshot.class).inNamespace("vms")
                .withLabel(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE, "often").list().getItems()) {
            taken.setStatus(new VirtualMachineSnapshot.Status());
            taken.getStatus().phase = VirtualMachineSnapshot.SUCCEEDED;
            taken.getStatus().readyToUse = true;
            client.resource(taken).updateStatus();
        }
        for (var schedule : List.of(client.resources(VirtualMachineSnapshotSchedule.class).inNamespace("vms").withName("often").get(),
                client.resources(SnapshotSchedule.class).inNamespace("vms").withName("hourly").get())) {
            client.resource(schedule).editStatus(s -> {
                if (s instanceof VirtualMachineSnapshotSchedule v) {
                    v.getStatus().nextSnapshotTime = Instant.now().minusSeconds(60).toString();
                } else {
                    ((SnapshotSchedule) s).getStatus().nextSnapshotTime = Instant.now().minusSeconds(60).toString();
                }
                return s;
            });
        }
        vmSchedules.reconcile(new ObjectKey("vms", "often"));
        claimSchedules.reconcile(new ObjectKey("vms", "hourly"));
        assertThat(counters.all().values()).allSatisfy(c -> assertThat(c.expired.get()).isPositive());
    }

    /** Reconciles a snapshot, the storage making its VolumeSnapshots ready, until it is ready (or gone: a clone's, when done). */
    private static void driveSnapshot(SnapshotReconciler snapshots, String name) {
        for (int i = 0; i < 8; i++) {
            snapshots.reconcile(new ObjectKey("vms", name));
            for (VolumeSnapshot vs : client.resources(VolumeSnapshot.class).inNamespace("vms").list().getItems()) {
                if (vs.getStatus() == null || !Boolean.TRUE.equals(vs.getStatus().readyToUse)) {
                    vs.setStatus(new VolumeSnapshot.Status());
                    vs.getStatus().readyToUse = true;
                    vs.getStatus().creationTime = Instant.now().toString();
                    vs.getStatus().restoreSize = new Quantity("1Gi");
                    client.resource(vs).updateStatus();
                }
            }
            VirtualMachineSnapshot snapshot = client.resources(VirtualMachineSnapshot.class).inNamespace("vms").withName(name).get();
            if (snapshot == null || snapshot.getStatus() != null && Boolean.TRUE.equals(snapshot.getStatus().readyToUse)
                    && snapshot.getStatus().snapshotVolumes != null) {
                return;
            }
        }
        throw new AssertionError("snapshot " + name + " never became ready: "
                + Serialization.asYaml(client.resources(VirtualMachineSnapshot.class).inNamespace("vms").withName(name).get()));
    }

    /**
     * Reconciles a restore, the storage binding its claims, until it is complete (or gone); the VM and
     * DataVolume controllers (with the test's client: their calls are covered by the scenarios
     * above) create the restored VM's DataVolumes, which adopt the restored claims.
     */
    private static void driveRestore(RestoreReconciler restores, String name) {
        for (int i = 0; i < 8; i++) {
            restores.reconcile(new ObjectKey("vms", name));
            VmReconciler vms = new VmReconciler(client, Clock.systemUTC());
            client.resources(VirtualMachine.class).inNamespace("vms").list().getItems()
                    .forEach(vm -> vms.reconcile("vms", vm.getMetadata().getName()));
            DataVolumeReconciler dvs = new DataVolumeReconciler(client, Settings.workers(), "ferry-system", new WorkerProgress(),
                    Clock.systemUTC());
            client.resources(DataVolume.class).inNamespace("vms").list().getItems().stream()
                    .filter(dv -> dv.getMetadata().getName().startsWith("restore-"))
                    .forEach(dv -> dvs.reconcile("vms", dv.getMetadata().getName()));
            for (PersistentVolumeClaim pvc : client.persistentVolumeClaims().inNamespace("vms").list().getItems()) {
                if (pvc.getStatus() == null || !"Bound".equals(pvc.getStatus().getPhase())) {
                    bind(pvc, "pv-" + pvc.getMetadata().getName());
                }
            }
            VirtualMachineRestore restore = client.resources(VirtualMachineRestore.class).inNamespace("vms").withName(name).get();
            if (restore == null || restore.getStatus() != null && Boolean.TRUE.equals(restore.getStatus().complete)) {
                return;
            }
        }
        throw new AssertionError("restore " + name + " never completed: "
                + Serialization.asYaml(client.resources(VirtualMachineRestore.class).inNamespace("vms").withName(name).get()));
    }

    private static DataVolume cloneDataVolume(String name, String storageClass, CloneTokens tokens) throws Exception {
        DataVolume dv = Cluster.example("pvc-clone", "vms");
        dv.getMetadata().setName(name);
        dv.getSpec().storage.storageClassName = storageClass;
        dv.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(CloneNames.ANN_TOKEN, tokens.admission(
                new CloneTokens.Grant("persistentvolumeclaims", "golden-images", "fedora-39", "vms", name, null)))));
        return client.resource(dv).create();
    }

    /** What the storage does: the claim bound to {@code pv}. */
    private static void bind(PersistentVolumeClaim pvc, String pv) {
        pvc.getSpec().setVolumeName(pv);
        PersistentVolumeClaim updated = client.resource(pvc).update();
        updated.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        client.resource(updated).updateStatus();
    }

    /** "verb group/resource[/subresource]" for a recorded request. */
    private static String call(RecordedRequest request) {
        Matcher m = PATH.matcher(request.getPath());
        assertThat(m.find()).as("an API path: %s", request.getPath()).isTrue();
        String group = m.group(1) == null ? "" : m.group(1);
        String resource = m.group(3);
        boolean named = m.group(4) != null;
        String sub = m.group(5);
        boolean watch = request.getPath().contains("watch=true");
        String verb = switch (request.getMethod()) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> request.getMethod();
        };
        return verb + " " + group + "/" + resource + (sub == null ? "" : "/" + sub);
    }

    private static boolean granted(List<JsonNode> rules, String call) {
        String[] parts = call.split(" ");
        String verb = parts[0];
        String group = parts[1].substring(0, parts[1].indexOf('/'));
        String resource = parts[1].substring(parts[1].indexOf('/') + 1);
        for (JsonNode rule : rules) {
            if (contains(rule.path("apiGroups"), group) && contains(rule.path("resources"), resource)
                    && contains(rule.path("verbs"), verb)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode list, String value) {
        for (JsonNode item : list) {
            if (item.asText().equals(value) || item.asText().equals("*")) {
                return true;
            }
        }
        return false;
    }
}
