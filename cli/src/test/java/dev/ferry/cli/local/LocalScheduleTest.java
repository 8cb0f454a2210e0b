package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.importer.testing.FaultyHttpServer;
import dev.ferry.local.app.LocalMode;
import dev.ferry.vmruntime.testing.AgentGuest;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot schedules on local mode with real guests (QEMU TCG, qemu-ga): a VirtualMachineSnapshotSchedule
 * of every minute with maxCount 1 snapshots two labelled running VMs through their agents — never
 * the unlabelled one — and after two runs holds exactly the newer of each; snapscheduler's documented
 * SnapshotSchedule applies unchanged and names and labels its VolumeSnapshots as snapscheduler does.
 * Waits for two real minute boundaries (retention's ordering of more than one kept snapshot is
 * ScheduleCoreTest's): in the slow profile, which CI runs.
 */
@Tag("slow")
class LocalScheduleTest {
    /** snapscheduler's docs/usage.md example, comments and all. */
    private static final String SNAPSCHEDULER_EXAMPLE = """
            ---
            apiVersion: snapscheduler.backube/v1
            kind: SnapshotSchedule
            metadata:
              # The name for this schedule. It is also used as a part
              # of the template for naming the snapshots.
              name: hourly
              # Schedules are namespaced objects
              namespace: myns
            spec:
              # A LabelSelector to control which PVCs should be snapshotted
              claimSelector:  # optional
              # Set to true to make the schedule inactive
              disabled: false  # optional
              retention:
                # The length of time a given snapshot should be
                # retained, specified in hours. (168h = 1 week)
                expires: "168h"  # optional
                # The maximum number of snapshots per PVC to keep
                maxCount: 10  # optional
              # The cronspec (https://en.wikipedia.org/wiki/Cron#Overview)
              # that defines the schedule. The following pre-defined
              # shortcuts are also supported: @hourly, @daily, @weekly,
              # @monthly, and @yearly
              schedule: "0 * * * *"
              snapshotTemplate:
                # A set of labels can be added to each
                # VolumeSnapshot object
                labels:  # optional
                  mylabel: myvalue
                # The SnapshotClassName to use when creating the
                # snapshots. If omitted, the cluster default will
                # be used.
                snapshotClassName: ebs-csi  # optional
            """;

    @TempDir
    Path dir;
    private LocalMode local;
    private KubernetesClient client;
    private FaultyHttpServer images;

    @BeforeEach
    void setUp() throws Exception {
        Path served = Files.createDirectories(dir.resolve("images"));
        Files.copy(AgentGuest.qcow2(), served.resolve("guest.qcow2"));
        images = FaultyHttpServer.http(served);
        local = new LocalMode(dir.resolve("local"), 0, 0);
        client = local.client();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (local != null) {
            local.close();
        }
        if (images != null) {
            images.close();
        }
    }

    @Test
    void everyMinuteKeepsTheNewestAgentSnapshotOfEachLabelledVm() throws Exception {
        String root = "        source: {http: {url: \"" + images.url("guest.qcow2") + "\"}}\n"
                + "        storage: {resources: {requests: {storage: 256Mi}}}\n";
        client.resource(TestVms.agentVm("db", "vms", "{backup: \"true\"}", "Always", root)).create();
        client.resource(TestVms.agentVm("web", "vms", "{backup: \"true\"}", "Always", root)).create();
        client.resource(TestVms.agentVm("scratch", "vms", "{}", "Halted", root)).create();
        for (String vm : List.of("db", "web")) {
            await(vm + "'s agent answers").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> {
                VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace("vms").withName(vm).get();
                return vmi != null && vmi.getStatus() != null && vmi.getStatus().conditions != null && vmi.getStatus().conditions.stream()
                        .anyMatch(c -> "AgentConnected".equals(c.type) && "True".equals(c.status));
            });
        }
        client.resource(Serialization.unmarshal("""
                apiVersion: ferry.kubevirt.dev/v1alpha1
                kind: VirtualMachineSnapshotSchedule
                metadata: {name: minutely, namespace: vms}
                spec:
                  schedule: "* * * * *"
                  vmSelector:
                    matchLabels: {backup: "true"}
                  retention: {maxCount: 1}
                  snapshotTemplate:
                    labels: {team: storage}
                """, VirtualMachineSnapshotSchedule.class)).create();

        Set<String> seen = new TreeSet<>();
        await("two runs").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            List<VirtualMachineSnapshot> now = scheduled();
            now.forEach(s -> seen.add(s.getMetadata().getName()));
            return seen.size() >= 4 && now.size() == 2 && now.stream().allMatch(s -> s.getStatus() != null
                    && Boolean.TRUE.equals(s.getStatus().readyToUse));
        });
        assertThat(seen).as("no snapshot of the unlabelled VM").noneMatch(name -> name.contains("scratch"))
                .allMatch(name -> name.matches("minutely-(db|web)-\\d{12}"));
        List<VirtualMachineSnapshot> kept = scheduled();
        Map<String, Long> perVm = kept.stream().collect(Collectors.groupingBy(s -> s.getSpec().source.name, Collectors.counting()));
        assertThat(perVm).containsOnly(Map.entry("db", 1L), Map.entry("web", 1L));
        // names end in the run's YYYYMMDDHHMM: the one kept of each VM is the newest seen
        assertThat(kept).allSatisfy(s -> assertThat(s.getMetadata().getName()).isEqualTo(seen.stream()
                .filter(n -> n.startsWith("minutely-" + s.getSpec().source.name + "-")).max(String::compareTo).orElseThrow()));
        assertThat(kept).allSatisfy(s -> {
            assertThat(s.getStatus().indications).as("frozen through the agent: %s", s.getMetadata().getName()).contains("GuestAgent");
            assertThat(s.getMetadata().getLabels()).containsEntry("team", "storage")
                    .containsEntry(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE, "minutely")
                    .containsKey(VirtualMachineSnapshotSchedule.LABEL_WHEN);
            assertThat(s.getMetadata().getOwnerReferences()).isEmpty();
        });
        VirtualMachineSnapshotSchedule schedule = client.resources(VirtualMachineSnapshotSchedule.class).inNamespace("vms")
                .withName("minutely").get();
        assertThat(Instant.parse(schedule.getStatus().nextSnapshotTime)).isAfter(Instant.parse(schedule.getStatus().lastSnapshotTime));
        assertThat(schedule.getStatus().virtualMachines).extracting(r -> r.name).containsExactly("db", "web");
        assertThat(client.v1().events().inNamespace("vms").list().getItems()).extracting(e -> e.getReason())
                .contains("ScheduledSnapshotCreated", "ScheduledSnapshotExpired");
        String table = ferry("get", "vmss", "-n", "vms");
        assertThat(table).contains("NAME").contains("SCHEDULE").contains("MAXCOUNT").contains("NEXT").contains("LAST")
                .containsPattern("minutely\\s+\\* \\* \\* \\* \\*\\s+1\\s+-\\s+\\d{4}-");
        assertThat(ferry("get", "vmsnapshot", "-n", "vms", "-l", VirtualMachineSnapshotSchedule.LABEL_SCHEDULE + "=minutely"))
                .contains("minutely-db-").contains("minutely-web-").doesNotContain("scratch");
    }

    @Test
    void snapschedulersDocumentedScheduleAppliesUnchanged() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("myns").endMetadata().build()).create();
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("myns").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("64Mi"))
                .endResources().endSpec().build()).create();
        String applied = ferry("apply", "-f", Files.writeString(dir.resolve("hourly.yaml"), SNAPSCHEDULER_EXAMPLE).toString());
        assertThat(applied).contains("hourly");
        // bring the hourly run forward (as if the hour had come): the schedule's next run, in the past
        await().atMost(Duration.ofSeconds(10)).until(() -> status() != null && status().nextSnapshotTime != null);
        client.resources(SnapshotSchedule.class).inNamespace("myns").withName("hourly").editStatus(s -> {
            s.getStatus().nextSnapshotTime = Instant.now().minusSeconds(60).toString();
            return s;
        });
        await("the hourly run").atMost(Duration.ofSeconds(30)).until(() -> !client.resources(VolumeSnapshot.class).inNamespace("myns")
                .list().getItems().isEmpty());
        VolumeSnapshot vs = client.resources(VolumeSnapshot.class).inNamespace("myns").list().getItems().get(0);
        assertThat(vs.getMetadata().getName()).matches("data-hourly-\\d{12}");
        assertThat(vs.getMetadata().getLabels()).containsEntry("mylabel", "myvalue").containsEntry("snapscheduler.backube/schedule", "hourly")
                .containsEntry("snapscheduler.backube/when", vs.getMetadata().getName().substring("data-hourly-".length()));
        assertThat(vs.getSpec().source.persistentVolumeClaimName).isEqualTo("data");
        assertThat(vs.getSpec().volumeSnapshotClassName).isEqualTo("ebs-csi");
        assertThat(status().conditions).singleElement().satisfies(c -> assertThat(c.reason).isEqualTo("ReconcileComplete"));
        assertThat(Instant.parse(status().nextSnapshotTime)).isAfter(Instant.now());
        assertThat(ferry("get", "snapshotschedules", "-n", "myns")).containsPattern("hourly\\s+0 \\* \\* \\* \\*\\s+10\\s+168h");
    }

    /** ferry's output against local mode; a failing command fails the test. */
    private String ferry(String... args) {
        FerryTestAccess.Result result = FerryTestAccess.capture(local.kubeconfig(), args);
        assertThat(result.exit()).as("ferry %s: %s", String.join(" ", args), result.err()).isZero();
        return result.out();
    }

    private SnapshotSchedule.Status status() {
        SnapshotSchedule schedule = client.resources(SnapshotSchedule.class).inNamespace("myns").withName("hourly").get();
        return schedule == null ? null : schedule.getStatus();
    }

    private List<VirtualMachineSnapshot> scheduled() {
        return client.resources(VirtualMachineSnapshot.class).inNamespace("vms")
                .withLabel(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE, "minutely").list().getItems();
    }
}
