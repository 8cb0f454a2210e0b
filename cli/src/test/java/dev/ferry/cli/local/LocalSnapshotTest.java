package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotContent;
import dev.ferry.cli.FerryTestAccess;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.testing.FaultyHttpServer;
import dev.ferry.local.app.LocalMode;
import dev.ferry.snapshot.testing.XfsLoop;
import dev.ferry.vmruntime.testing.AgentGuest;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VM snapshots, restores and clones end to end on local mode, with real QEMU (TCG), libvirtd and
 * Debian's qemu-ga in the guest, whose init writes and syncs a counter file every second: a
 * running VM snapshotted with its filesystems frozen (the fsfreeze hook on its console, the
 * counter stalled, the snapshot's ext4 clean), restored into a new VM that boots with the counter
 * at the snapshot's value, cloned into a VM with another MAC and serial, and restored in place
 * while a start is refused; crash-consistent snapshots without an agent and of a paused VM; a
 * snapshot past its deadline failing with the guest thawed; local mode stopped mid-snapshot; and
 * the same on reflink (XFS) storage.
 */
class LocalSnapshotTest {
    private static final Pattern COUNTER = Pattern.compile("counter (\\d+)");

    @TempDir
    Path dir;
    private LocalMode local;
    private KubernetesClient client;
    private FaultyHttpServer images;
    private XfsLoop xfs;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("e2fsck");
        Tools.require("dumpe2fs");
        Path served = Files.createDirectories(dir.resolve("images"));
        Files.copy(AgentGuest.qcow2(), served.resolve("guest.qcow2"));
        images = FaultyHttpServer.http(served);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (local != null) {
            local.close();
        }
        if (images != null) {
            images.close();
        }
        if (xfs != null) {
            xfs.close();
        }
    }

    @Test
    void aRunningVmIsSnapshottedFrozenThenRestoredClonedAndRestoredInPlace() throws Exception {
        start(dir.resolve("root"));
        createVm("web", "");
        Path webConsole = awaitAgent("web");
        assertThat(log(webConsole)).contains("guest: serial SERIAL-web,").contains("guest: mac eth0 02:00:00:00:00:01");

        apply(snapshot("before-upgrade", "web", null));
        VirtualMachineSnapshot snapshot = awaitSnapshot("before-upgrade", s -> Boolean.TRUE.equals(s.getStatus().readyToUse));
        assertThat(snapshot.getStatus().phase).isEqualTo("Succeeded");
        assertThat(snapshot.getStatus().indications).containsExactly("Online", "GuestAgent");
        assertThat(snapshot.getStatus().snapshotVolumes.includedVolumes).containsExactly("root");
        assertThat(snapshot.getStatus().virtualMachineSnapshotContentName).isEqualTo("vmsnapshot-content-" + snapshot.getMetadata().getUid());
        await("the VM is unlocked").atMost(Duration.ofSeconds(10)).until(() -> vm("web").getStatus().snapshotInProgress == null
                && !vm("web").getMetadata().getFinalizers().contains("snapshot.kubevirt.io/snapshot-source-protection"));
        String console = log(webConsole);
        assertThat(console).as("the freeze, in the guest").contains("guest: fsfreeze freeze").contains("guest: fsfreeze thaw");
        int frozenAt = lastCounterBefore(console, "guest: fsfreeze freeze");
        assertThat(events("before-upgrade")).anySatisfy(e -> assertThat(e).startsWith("ThawedVirtualMachine: the guest's filesystems were frozen for "));
        Path snapshotDisk = snapshotDisk(snapshot);
        assertClean(snapshotDisk, "frozen: the journal was flushed, the snapshot needs no recovery");

        // Velero's backup hooks on the launcher Pod, run as Velero runs them: the pre hook freezes, the post hook thaws
        Guests.Hook pre = hook("web", true);
        assertThat(pre.out()).as(pre.toString()).contains("virt-freezer: vms/web frozen");
        assertThat(launcher("web").status().fsFreezeStatus()).isEqualTo("frozen");
        Guests.Hook post = hook("web", false);
        assertThat(post.out()).as(post.toString()).containsPattern("virt-freezer: vms/web thawed after \\d+ ms frozen");
        assertThat(launcher("web").status().fsFreezeStatus()).isNotEqualTo("frozen");

        // a new VM from the snapshot: claims from the VolumeSnapshots, its DataVolume pre-populated, not imported again
        int gets = images.gets();
        apply(restore("to-new", "web-restored", "before-upgrade", null));
        VirtualMachineRestore restored = awaitRestore("to-new");
        String claim = "restore-" + restored.getMetadata().getUid() + "-root";
        assertThat(restored.getStatus().restores).singleElement().satisfies(r -> {
            assertThat(r.persistentVolumeClaim).isEqualTo(claim);
            assertThat(r.dataVolumeName).isEqualTo(claim);
        });
        VirtualMachine copy = vm("web-restored");
        assertThat(copy.getSpec().runStrategy).isEqualTo("Halted");
        assertThat(copy.getSpec().dataVolumeTemplates.get(0).metadata.getName()).isEqualTo(claim);
        DataVolume dv = client.resources(DataVolume.class).inNamespace("vms").withName(claim).get();
        assertThat(dv.getStatus().phase).isEqualTo("Succeeded");
        assertThat(dv.getStatus().conditions).anySatisfy(c -> assertThat(c.reason).isEqualTo("PrePopulated"));
        assertThat(images.gets()).as("nothing imported again").isEqualTo(gets);
        setRunStrategy("web-restored", "Always");
        Path restoredConsole = awaitAgent("web-restored");
        assertThat(AgentGuest.counterAtBoot(log(restoredConsole))).as("the counter as the snapshot froze it")
                .isBetween(frozenAt, frozenAt + 1);
        assertThat(log(restoredConsole)).contains("guest: root filesystem clean");
        setRunStrategy("web-restored", "Halted");

        // a clone of the running VM: its own MAC and serial
        apply(Serialization.unmarshal("""
                apiVersion: clone.kubevirt.io/v1beta1
                kind: VirtualMachineClone
                metadata: {name: web-clone, namespace: vms}
                spec:
                  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: web}
                  target: {apiGroup: kubevirt.io, kind: VirtualMachine, name: web-two}
                  labelFilters: ["*", "!app"]
                """, VirtualMachineClone.class));
        await("the clone").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                "Succeeded".equals(phase(client.resources(VirtualMachineClone.class).inNamespace("vms").withName("web-clone").get())));
        await("its temporary snapshot and restore are removed").atMost(Duration.ofSeconds(30)).until(() ->
                client.resources(VirtualMachineSnapshot.class).inNamespace("vms").list().getItems().size() == 1
                        && client.resources(VirtualMachineRestore.class).inNamespace("vms").withName("tmp-restore-"
                                + client.resources(VirtualMachineClone.class).inNamespace("vms").withName("web-clone").get()
                                .getMetadata().getUid()).get() == null);
        assertThat(vm("web-two").getMetadata().getLabels()).doesNotContainKey("app");
        setRunStrategy("web-two", "Always");
        String cloneConsole = log(awaitAgent("web-two"));
        assertThat(cloneConsole).doesNotContain("guest: serial SERIAL-web,").contains("guest: serial ")
                .doesNotContain("02:00:00:00:00:01").containsPattern("guest: mac eth0 ([0-9a-f]{2}:){5}[0-9a-f]{2}");
        setRunStrategy("web-two", "Halted");

        // in place: the VM stopped, its claim replaced by the snapshot's; a start is refused until the restore completes
        int before = TestGuest.lastCounter(webConsole);
        assertThat(before).isGreaterThan(frozenAt + 1);
        setRunStrategy("web", "Halted");
        await().atMost(Duration.ofSeconds(90)).until(() -> vmi("web") == null);
        client.persistentVolumeClaims().inNamespace("vms").withName("web-root").edit(pvc -> {
            pvc.getMetadata().getFinalizers().add("ferry.test/hold");
            return pvc;
        });
        apply(restore("in-place", "web", "before-upgrade", "InPlace"));
        await("the restore holds the VM").atMost(Duration.ofSeconds(30)).until(() -> "in-place".equals(vm("web").getStatus().restoreInProgress));
        assertThatThrownBy(() -> setRunStrategy("web", "Always")).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("Cannot update VM runStrategy until restore \"in-place\" completes");
        client.persistentVolumeClaims().inNamespace("vms").withName("web-root").edit(pvc -> {
            pvc.getMetadata().getFinalizers().remove("ferry.test/hold");
            return pvc;
        });
        awaitRestore("in-place");
        assertThat(vm("web").getSpec().dataVolumeTemplates.get(0).metadata.getName()).as("in place: the same name").isEqualTo("web-root");
        assertThat(vm("web").getStatus().restoreInProgress).isNull();
        setRunStrategy("web", "Always");
        assertThat(AgentGuest.counterAtBoot(log(awaitCounting("web")))).as("back to the snapshot's counter")
                .isBetween(frozenAt, frozenAt + 1).isLessThan(before);
    }

    @Test
    void withoutAnAgentOrPausedASnapshotIsCrashConsistentNeverAnError() throws Exception {
        start(dir.resolve("root"));
        createVm("plain", " ferry.noagent");
        Path console = awaitCounting("plain");
        apply(snapshot("no-agent", "plain", null));
        VirtualMachineSnapshot noAgent = awaitSnapshot("no-agent", s -> Boolean.TRUE.equals(s.getStatus().readyToUse));
        assertThat(noAgent.getStatus().indications).containsExactly("Online", "NoGuestAgent");
        assertThat(noAgent.getStatus().error).isNull();
        assertThat(log(console)).doesNotContain("fsfreeze");
        assertThat(hook("plain", true).out()).as("Velero's pre hook never fails a backup for a guest without an agent")
                .contains("virt-freezer: vms/plain has no guest agent connected: not freezing");
        assertThat(hook("plain", false).out()).contains("virt-freezer: vms/plain thawed (it was not frozen)");

        assertThat(FerryTestAccess.capture(local.kubeconfig(), "pause", "vm", "plain", "-n", "vms").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> "Paused".equals(vm("plain").getStatus().printableStatus));
        assertThat(hook("plain", true).out()).as("nor for a paused one").contains("virt-freezer: vms/plain is Paused, not Running");
        apply(snapshot("paused", "plain", null));
        VirtualMachineSnapshot paused = awaitSnapshot("paused", s -> Boolean.TRUE.equals(s.getStatus().readyToUse));
        assertThat(paused.getStatus().indications).containsExactly("Online", "Paused");
        assertThat(FerryTestAccess.capture(local.kubeconfig(), "unpause", "vm", "plain", "-n", "vms").exit()).isZero();
    }

    @Test
    void aSnapshotPastItsDeadlineFailsThawsTheGuestAndOneInterruptedByARestartEndsToo() throws Exception {
        start(dir.resolve("root"));
        // a second disk on storage whose snapshotter never answers: its VolumeSnapshot stays pending
        VolumeSnapshotClass stalled = new VolumeSnapshotClass();
        stalled.getMetadata().setName("copy-snapshots");
        stalled.driver = "ferry.kubevirt.dev/local-copy";
        stalled.deletionPolicy = "Delete";
        client.resource(stalled).create();
        VirtualMachine vm = vmYaml("stuck", "");
        vm.getSpec().dataVolumeTemplates.add(Serialization.unmarshal("""
                metadata: {name: stuck-data}
                spec:
                  source: {blank: {}}
                  storage: {resources: {requests: {storage: 16Mi}}, storageClassName: local-copy}
                """, dev.ferry.api.kubevirt.v1.VmSpec.DataVolumeTemplate.class));
        var disk = new dev.ferry.api.kubevirt.v1.VmiSpec.Disk();
        disk.name = "data";
        disk.disk = new dev.ferry.api.kubevirt.v1.VmiSpec.DiskTarget();
        vm.getSpec().template.spec.domain.devices.disks.add(disk);
        var volume = new dev.ferry.api.kubevirt.v1.VmiSpec.Volume();
        volume.name = "data";
        volume.dataVolume = new dev.ferry.api.kubevirt.v1.VmiSpec.DataVolumeRef();
        volume.dataVolume.name = "stuck-data";
        vm.getSpec().template.spec.volumes.add(volume);
        client.resource(vm).create();
        Path console = awaitAgent("stuck");

        apply(snapshot("too-slow", "stuck", "15s"));
        await("frozen").atMost(Duration.ofSeconds(30)).until(() -> log(console).contains("guest: fsfreeze freeze"));
        VirtualMachineSnapshot failed = awaitSnapshot("too-slow", s -> "Failed".equals(s.getStatus().phase));
        assertThat(failed.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Failure");
            assertThat(c.reason).isEqualTo("snapshot deadline exceeded");
        });
        await("thawed").atMost(Duration.ofSeconds(10)).until(() -> log(console).contains("guest: fsfreeze thaw"));
        int thawed = TestGuest.lastCounter(console);
        await("the guest writes again").atMost(Duration.ofSeconds(20)).until(() -> TestGuest.lastCounter(console) > thawed + 1);
        await("what it made is gone, the VM unlocked").atMost(Duration.ofSeconds(20)).until(() ->
                client.resources(VirtualMachineSnapshotContent.class).inNamespace("vms").list().getItems().isEmpty()
                        && client.resources(VolumeSnapshot.class).inNamespace("vms").list().getItems().isEmpty()
                        && vm("stuck").getStatus().snapshotInProgress == null);

        // stopped while a snapshot holds the guest frozen: back up, the snapshot ends with a reason, the guest runs
        apply(snapshot("interrupted", "stuck", "40s"));
        await("frozen again").atMost(Duration.ofSeconds(30)).until(() -> log(console).split("guest: fsfreeze freeze", -1).length == 3);
        local.close();
        local = null;
        start(dir.resolve("root"));
        VirtualMachineSnapshot ended = awaitSnapshot("interrupted", s -> "Failed".equals(s.getStatus().phase)
                || Boolean.TRUE.equals(s.getStatus().readyToUse));
        assertThat(ended.getStatus().conditions).anySatisfy(c -> assertThat(c.type + "=" + c.status + " " + c.reason)
                .isIn("Failure=True snapshot deadline exceeded", "Ready=True Ready"));
        Path after = awaitAgent("stuck");
        int running = TestGuest.lastCounter(after);
        await("the guest came back thawed: it writes").atMost(Duration.ofSeconds(20)).until(() -> TestGuest.lastCounter(after) > running + 1);
        assertThat(vm("stuck").getStatus().snapshotInProgress).isNull();
    }

    @Test
    void onReflinkStorageTheSnapshotSharesBlocksAndRestores() throws Exception {
        xfs = XfsLoop.create(dir, 4L << 30);
        start(xfs.root().resolve("root"));
        assertThat(local.reflinkSupported()).isTrue();
        createVm("fast", "");
        Path console = awaitAgent("fast");
        apply(snapshot("quick", "fast", null));
        VirtualMachineSnapshot snapshot = awaitSnapshot("quick", s -> Boolean.TRUE.equals(s.getStatus().readyToUse));
        assertThat(snapshot.getStatus().indications).containsExactly("Online", "GuestAgent");
        int frozenAt = lastCounterBefore(log(console), "guest: fsfreeze freeze");
        Path snapshotDisk = snapshotDisk(snapshot);
        assertClean(snapshotDisk, "frozen on XFS too");
        String shared = Tools.run("xfs_io", "-r", "-c", "fiemap -v", snapshotDisk.toString());
        assertThat(shared).as("the snapshot shares the volume's extents").contains("0x2000");
        apply(restore("back", "fast-restored", "quick", "PrefixTargetName"));
        awaitRestore("back");
        assertThat(client.persistentVolumeClaims().inNamespace("vms").withName("fast-restored-root").get()).isNotNull();
        setRunStrategy("fast-restored", "Always");
        assertThat(AgentGuest.counterAtBoot(log(awaitAgent("fast-restored")))).isBetween(frozenAt, frozenAt + 1);
    }

    private void start(Path root) throws IOException {
        local = new LocalMode(root, 0, 0);
        client = local.client();
    }

    private void createVm(String name, String kernelArgs) throws IOException {
        client.resource(vmYaml(name, kernelArgs)).create();
    }

    /** A VM of the agent guest imported over HTTP, a fixed MAC and serial, running. */
    private VirtualMachine vmYaml(String name, String kernelArgs) throws IOException {
        return Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: %1$s
                  namespace: vms
                  labels: {app: %1$s}
                spec:
                  runStrategy: Always
                  dataVolumeTemplates:
                    - metadata: {name: %1$s-root}
                      spec:
                        source: {http: {url: "%2$s"}}
                        storage: {resources: {requests: {storage: 256Mi}}}
                  template:
                    spec:
                      terminationGracePeriodSeconds: 30
                      domain:
                        cpu: {cores: 1}
                        memory: {guest: 128Mi}
                        devices:
                          disks: [{name: root, disk: {bus: virtio}}]
                          interfaces: [{name: default, macAddress: "02:00:00:00:00:01", masquerade: {}}]
                        firmware:
                          serial: SERIAL-%1$s
                          kernelBoot:
                            kernelArgs: "console=ttyS0 panic=-1 quiet%3$s"
                            container: {image: ferry/agent-guest, kernelPath: %4$s, initrdPath: %5$s}
                      networks: [{name: default, pod: {}}]
                      volumes: [{name: root, dataVolume: {name: %1$s-root}}]
                """.formatted(name, images.url("guest.qcow2"), kernelArgs, AgentGuest.kernel(), AgentGuest.initrd()), VirtualMachine.class);
    }

    private static VirtualMachineSnapshot snapshot(String name, String vm, String deadline) {
        return Serialization.unmarshal("""
                apiVersion: snapshot.kubevirt.io/v1beta1
                kind: VirtualMachineSnapshot
                metadata: {name: %s, namespace: vms}
                spec:
                  source: {apiGroup: kubevirt.io, kind: VirtualMachine, name: %s}
                %s""".formatted(name, vm, deadline == null ? "" : "  failureDeadline: " + deadline + "\n"), VirtualMachineSnapshot.class);
    }

    private static VirtualMachineRestore restore(String name, String target, String snapshot, String policy) {
        return Serialization.unmarshal("""
                apiVersion: snapshot.kubevirt.io/v1beta1
                kind: VirtualMachineRestore
                metadata: {name: %s, namespace: vms}
                spec:
                  target: {apiGroup: kubevirt.io, kind: VirtualMachine, name: %s}
                  virtualMachineSnapshotName: %s
                %s""".formatted(name, target, snapshot, policy == null ? "" : "  volumeRestorePolicy: " + policy + "\n"),
                VirtualMachineRestore.class);
    }

    private dev.ferry.worker.launcher.LauncherClient launcher(String vm) {
        io.fabric8.kubernetes.api.model.Pod pod = client.pods().inNamespace("vms").withName(vmi(vm).getStatus().launcherPod).get();
        return new dev.ferry.worker.launcher.LauncherClient("127.0.0.1",
                Integer.parseInt(pod.getMetadata().getAnnotations().get(dev.ferry.worker.WorkerPods.ANN_METRICS_PORT)));
    }

    private void apply(io.fabric8.kubernetes.api.model.HasMetadata object) {
        client.resource(object).create();
    }

    private void setRunStrategy(String name, String strategy) {
        client.resources(VirtualMachine.class).inNamespace("vms").withName(name).edit(vm -> {
            vm.getSpec().running = null;
            vm.getSpec().runStrategy = strategy;
            return vm;
        });
    }

    private Guests guests() {
        return new Guests(local, "vms");
    }

    private Path awaitAgent(String name) throws IOException {
        return guests().awaitAgent(name);
    }

    private Path awaitCounting(String name) throws IOException {
        return guests().awaitCounting(name);
    }

    private VirtualMachineInstance awaitVmi(String name, Predicate<VirtualMachineInstance> state, Duration timeout) {
        return guests().awaitVmi(name, state, timeout);
    }

    private Guests.Hook hook(String vm, boolean pre) throws Exception {
        return guests().hook(vm, pre);
    }

    private VirtualMachineSnapshot awaitSnapshot(String name, Predicate<VirtualMachineSnapshot> state) {
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                VirtualMachineSnapshot s = client.resources(VirtualMachineSnapshot.class).inNamespace("vms").withName(name).get();
                return s != null && s.getStatus() != null && state.test(s);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("snapshot " + name + " did not get there: "
                    + Serialization.asYaml(client.resources(VirtualMachineSnapshot.class).inNamespace("vms").withName(name).get())
                    + Serialization.asYaml(client.resources(VirtualMachineSnapshotContent.class).inNamespace("vms").list().getItems())
                    + Serialization.asYaml(client.resources(VolumeSnapshot.class).inNamespace("vms").list().getItems()), e);
        }
        return client.resources(VirtualMachineSnapshot.class).inNamespace("vms").withName(name).get();
    }

    private VirtualMachineRestore awaitRestore(String name) {
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                VirtualMachineRestore r = client.resources(VirtualMachineRestore.class).inNamespace("vms").withName(name).get();
                return r != null && r.getStatus() != null && Boolean.TRUE.equals(r.getStatus().complete);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("restore " + name + " did not complete: "
                    + Serialization.asYaml(client.resources(VirtualMachineRestore.class).inNamespace("vms").withName(name).get())
                    + Serialization.asYaml(client.persistentVolumeClaims().inNamespace("vms").list().getItems())
                    + Serialization.asYaml(client.resources(DataVolume.class).inNamespace("vms").list().getItems()), e);
        }
        return client.resources(VirtualMachineRestore.class).inNamespace("vms").withName(name).get();
    }

    /** The root disk as the snapshot holds it (local storage keeps it under DATA_ROOT/snapshots). */
    private Path snapshotDisk(VirtualMachineSnapshot snapshot) {
        String vsName = "vmsnapshot-" + snapshot.getMetadata().getUid() + "-volume-root";
        VolumeSnapshot vs = client.resources(VolumeSnapshot.class).inNamespace("vms").withName(vsName).get();
        VolumeSnapshotContent content = client.resources(VolumeSnapshotContent.class).withName(vs.getStatus().boundVolumeSnapshotContentName).get();
        return Path.of(content.getStatus().snapshotHandle).resolve("disk.img");
    }

    /** The ext4 on {@code disk} needs no journal recovery and checks clean. */
    private static void assertClean(Path disk, String why) {
        assertThat(Tools.run("dumpe2fs", "-h", disk.toString())).as(why).doesNotContain("needs_recovery");
        Tools.Result fsck = Tools.exec("e2fsck", "-fn", disk.toString());
        assertThat(fsck.exitCode()).as(fsck.output()).isZero();
    }

    private List<String> events(String involved) {
        return client.v1().events().inNamespace("vms").list().getItems().stream()
                .filter(e -> involved.equals(e.getInvolvedObject().getName())).map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }

    /** The last counter the guest printed before {@code marker}. */
    private static int lastCounterBefore(String console, String marker) {
        int at = console.indexOf(marker);
        assertThat(at).as("the console shows " + marker).isNotNegative();
        Matcher m = COUNTER.matcher(console.substring(0, at));
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    private static String phase(VirtualMachineClone clone) {
        return clone == null || clone.getStatus() == null ? null : clone.getStatus().phase;
    }

    private VirtualMachine vm(String name) {
        return client.resources(VirtualMachine.class).inNamespace("vms").withName(name).get();
    }

    private VirtualMachineInstance vmi(String name) {
        return client.resources(VirtualMachineInstance.class).inNamespace("vms").withName(name).get();
    }

    private static String log(Path console) throws IOException {
        return Guests.log(console);
    }

    /** The serial console's log of a launcher Pod, as the local node keeps it. */
    private Path consoleLog(String pod) throws IOException {
        return guests().consoleLog(pod);
    }
}
