package dev.ferry.controllers.vmclone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.runtime.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's VM clone as a pure decision: snapshot, restore with the patches that make the copy
 * its own machine, then the temporaries go.
 */
class VmCloneDecisionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aCloneOfAVmSnapshotsItRestoresItAndCleansUp() throws Exception {
        VirtualMachineClone clone = clone(null);
        VirtualMachine source = source();
        VmClonePlan first = VmCloneDecision.decide(new VmCloneObserved(clone, source, null, null, null, null, NOW, "x7k2p"));
        assertThat(first.createSnapshot().getMetadata().getName()).isEqualTo("tmp-snapshot-clone-uid");
        assertThat(first.createSnapshot().getSpec().source.name).isEqualTo("web");
        assertThat(first.createSnapshot().getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("VirtualMachineClone");
        assertThat(first.status().phase).isEqualTo("SnapshotInProgress");
        assertThat(first.status().targetName).as("no target given").isEqualTo("web-clone-x7k2p");

        clone.setStatus(first.status());
        VirtualMachineSnapshot snapshot = first.createSnapshot();
        assertThat(VmCloneDecision.decide(new VmCloneObserved(clone, source, snapshot, null, null, null, NOW, "other")).status().phase)
                .isEqualTo("SnapshotInProgress");

        snapshot.setStatus(new VirtualMachineSnapshot.Status());
        snapshot.getStatus().readyToUse = true;
        VirtualMachineSnapshotContent content = content(source);
        VmClonePlan restoring = VmCloneDecision.decide(new VmCloneObserved(clone, source, snapshot, content, null, null, NOW, "other"));
        VirtualMachineRestore restore = restoring.createRestore();
        assertThat(restore.getMetadata().getName()).isEqualTo("tmp-restore-clone-uid");
        assertThat(restore.getSpec().target.name).as("the name chosen first").isEqualTo("web-clone-x7k2p");
        assertThat(restore.getSpec().virtualMachineSnapshotName).isEqualTo("tmp-snapshot-clone-uid");
        assertThat(restoring.status().phase).isEqualTo("RestoreInProgress");

        clone.setStatus(restoring.status());
        restore.setStatus(new VirtualMachineRestore.Status());
        restore.getStatus().complete = false;
        assertThat(VmCloneDecision.decide(new VmCloneObserved(clone, source, snapshot, content, restore, null, NOW, "o")).status().phase)
                .isEqualTo("RestoreInProgress");
        restore.getStatus().complete = true;
        assertThat(VmCloneDecision.decide(new VmCloneObserved(clone, source, snapshot, content, restore, null, NOW, "o")).status().phase)
                .isEqualTo("CreatingTargetVM");
        VirtualMachine target = source();
        target.getMetadata().setName("web-clone-x7k2p");
        target.getMetadata().setAnnotations(Map.of("restore.kubevirt.io/lastRestoreUID", "tmp-restore-clone-uid-restore-uid"));
        restore.getMetadata().setUid("restore-uid");
        VmClonePlan done = VmCloneDecision.decide(new VmCloneObserved(clone, source, snapshot, content, restore, target, NOW, "o"));
        assertThat(done.status().phase).isEqualTo("Succeeded");
        assertThat(done.delete()).containsExactly(restore, snapshot);

        clone.setStatus(done.status());
        assertThat(VmCloneDecision.decide(new VmCloneObserved(clone, source, null, null, null, target, NOW, "o")).delete())
                .as("nothing left to remove").isEmpty();
    }

    @Test
    void thePatchesGiveTheCopyNewMacsSerialAndUuidAndFilterLabels() throws Exception {
        VirtualMachineClone clone = clone(null);
        clone.getSpec().newMacAddresses = Map.of("second", "02:00:00:00:00:99");
        clone.getSpec().labelFilters = List.of("*", "!team");
        clone.getSpec().annotationFilters = List.of("owner");
        VirtualMachine source = source();
        VirtualMachineSnapshotContent content = content(source);
        List<String> patches = VmCloneDecision.patches(clone, content.getSpec().source.virtualMachine);
        var ops = JSON.createArrayNode();
        for (String patch : patches) {
            ops.add(JSON.readTree(patch));
        }
        JsonNode copy = JsonPatch.apply(ops, JSON.valueToTree(source));
        JsonNode interfaces = copy.at("/spec/template/spec/domain/devices/interfaces");
        assertThat(interfaces.get(0).has("macAddress")).as("a MAC not given is left to be generated").isFalse();
        assertThat(interfaces.get(1).path("macAddress").asText()).isEqualTo("02:00:00:00:00:99");
        String serial = copy.at("/spec/template/spec/domain/firmware/serial").asText();
        assertThat(serial).isNotEmpty().isNotEqualTo("SERIAL-WEB");
        assertThat(copy.at("/spec/template/spec/domain/firmware/uuid").asText()).isNotEqualTo("5d307ca9-b3ef-428c-8861-06e72d69f223");
        assertThat(copy.at("/metadata/labels").has("team")).isFalse();
        assertThat(copy.at("/metadata/labels/app").asText()).isEqualTo("web");
        assertThat(copy.at("/metadata/annotations").has("owner")).isTrue();
        assertThat(copy.at("/metadata/annotations").has("kubevirt.io~1latest")).isFalse();
        assertThat(copy.at("/metadata/annotations").size()).as("only what the filter keeps").isEqualTo(1);

        clone.getSpec().newSMBiosSerial = "GIVEN-SERIAL";
        assertThat(VmCloneDecision.patches(clone, content.getSpec().source.virtualMachine))
                .anySatisfy(p -> assertThat(p).contains("GIVEN-SERIAL"));
        assertThat(VmCloneDecision.kept("app", List.of("*", "!app*"))).isFalse();
        assertThat(VmCloneDecision.kept("app", List.of("!app*", "app"))).as("the last match decides").isTrue();
        assertThat(VmCloneDecision.kept("app", List.of("team"))).as("no match: left out").isFalse();
    }

    @Test
    void aCloneFailsWhenItsSnapshotOrRestoreFailsOrTheTargetExists() {
        VirtualMachineClone clone = clone("taken");
        VirtualMachine taken = source();
        taken.getMetadata().setName("taken");
        VmClonePlan exists = VmCloneDecision.decide(new VmCloneObserved(clone, source(), null, null, null, taken, NOW, "x"));
        assertThat(exists.status().phase).isEqualTo("Failed");
        assertThat(Conditions.find(exists.status().conditions, SnapshotCondition.READY).reason).isEqualTo("target VM taken already exists");

        VirtualMachineClone fromSnapshot = clone(null);
        fromSnapshot.getSpec().source = new ObjectReference("snapshot.kubevirt.io", "VirtualMachineSnapshot", "nightly");
        VirtualMachineSnapshot failed = new VirtualMachineSnapshot();
        failed.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("vms").build());
        failed.setStatus(new VirtualMachineSnapshot.Status());
        failed.getStatus().phase = "Failed";
        VmClonePlan plan = VmCloneDecision.decide(new VmCloneObserved(fromSnapshot, null, failed, null, null, null, NOW, "x"));
        assertThat(plan.status().phase).isEqualTo("Failed");
        assertThat(plan.delete()).as("a source snapshot is not the clone's to remove").isEmpty();
        assertThat(VmCloneDecision.targetName(fromSnapshot, "abcde")).isEqualTo("nightly-clone-abcde");
    }

    private static VirtualMachineClone clone(String target) {
        VirtualMachineClone clone = new VirtualMachineClone();
        clone.setMetadata(new ObjectMetaBuilder().withName("copy").withNamespace("vms").withUid("clone-uid").build());
        clone.setSpec(new VirtualMachineClone.Spec());
        clone.getSpec().source = ObjectReference.virtualMachine("web");
        clone.getSpec().target = target == null ? null : ObjectReference.virtualMachine(target);
        return clone;
    }

    private static VirtualMachine source() {
        return Serialization.unmarshal("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata:
                  name: web
                  namespace: vms
                  uid: vm-uid-web
                  labels: {app: web, team: blue}
                  annotations: {owner: alice, "kubevirt.io/latest": v1}
                spec:
                  runStrategy: Always
                  template:
                    spec:
                      domain:
                        devices:
                          disks: [{name: root, disk: {}}]
                          interfaces: [{name: default, macAddress: "02:00:00:00:00:01"}, {name: second}]
                        firmware: {serial: SERIAL-WEB, uuid: 5d307ca9-b3ef-428c-8861-06e72d69f223}
                      volumes: [{name: root, persistentVolumeClaim: {claimName: web-root}}]
                """, VirtualMachine.class);
    }

    private static VirtualMachineSnapshotContent content(VirtualMachine vm) {
        VirtualMachineSnapshotContent content = new VirtualMachineSnapshotContent();
        content.setSpec(new VirtualMachineSnapshotContent.Spec());
        content.getSpec().source = new VirtualMachineSnapshotContent.Source();
        content.getSpec().source.virtualMachine = new VirtualMachineSnapshotContent.SourceVirtualMachine();
        content.getSpec().source.virtualMachine.metadata = vm.getMetadata();
        content.getSpec().source.virtualMachine.spec = vm.getSpec();
        return content;
    }
}
