package dev.ferry.controllers.vmclone;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.Event;
import dev.ferry.controllers.snapshot.RestoreDecision;
import dev.ferry.controllers.snapshot.SnapshotNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * KubeVirt's VirtualMachineClone controller ({@code pkg/virt-controller/watch/clone/}) as a pure
 * decision: a snapshot of the source VM (or the source snapshot), then a restore of it into the
 * target VM with patches that make the copy its own machine — new MACs (given, or left to be
 * generated), a new SMBIOS serial and firmware UUID, labels and annotations filtered — then the
 * temporary snapshot and restore are removed.
 */
public final class VmCloneDecision {
    static final Duration RETRY = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private VmCloneDecision() {
    }

    /** {@code tmp-snapshot-<clone uid>}: the snapshot a clone of a VM takes. */
    public static String snapshotName(VirtualMachineClone clone) {
        return "tmp-snapshot-" + clone.getMetadata().getUid();
    }

    /** {@code tmp-restore-<clone uid>}. */
    public static String restoreName(VirtualMachineClone clone) {
        return "tmp-restore-" + clone.getMetadata().getUid();
    }

    /** The snapshot the clone restores: its own, or the source snapshot. */
    public static String snapshotInUse(VirtualMachineClone clone) {
        return fromSnapshot(clone) ? clone.getSpec().source.name : snapshotName(clone);
    }

    static boolean fromSnapshot(VirtualMachineClone clone) {
        return "VirtualMachineSnapshot".equals(clone.getSpec().source.kind);
    }

    /** The target VM's name: the clone's, else {@code <source>-clone-<suffix>} (kept in the status once chosen). */
    public static String targetName(VirtualMachineClone clone, String suffix) {
        if (clone.getStatus() != null && clone.getStatus().targetName != null) {
            return clone.getStatus().targetName;
        }
        if (clone.getSpec().target != null && clone.getSpec().target.name != null) {
            return clone.getSpec().target.name;
        }
        return clone.getSpec().source.name + "-clone-" + suffix;
    }

    public static VmClonePlan decide(VmCloneObserved o) {
        VirtualMachineClone clone = o.vmClone();
        VirtualMachineClone.Status before = clone.getStatus();
        VirtualMachineClone.Status status = new VirtualMachineClone.Status();
        if (before != null) {
            status.creationTime = before.creationTime;
            status.phase = before.phase;
            status.conditions = before.conditions;
            status.snapshotName = before.snapshotName;
            status.restoreName = before.restoreName;
            status.targetName = before.targetName;
        }
        if (status.creationTime == null) {
            status.creationTime = o.now().toString();
        }
        String phase = status.phase;
        if (VirtualMachineClone.SUCCEEDED.equals(phase) || VirtualMachineClone.FAILED.equals(phase)) {
            return new VmClonePlan(null, null, temporaries(o), status, null, null);
        }
        String target = targetName(clone, o.suffix());
        status.targetName = target;
        if (o.target() != null && (o.restore() == null || !RestoreDecision.restoredBy(o.target(), o.restore()))) {
            return failed(o, status, "target VM " + target + " already exists");
        }
        if (!fromSnapshot(clone) && o.snapshot() == null) {
            if (o.sourceVm() == null) {
                return waiting(status, null, false, "source VM " + clone.getSpec().source.name + " does not exist");
            }
            status.snapshotName = snapshotName(clone);
            VmClonePlan plan = waiting(status, VirtualMachineClone.SNAPSHOT_IN_PROGRESS, true, "taking snapshot " + status.snapshotName);
            return new VmClonePlan(snapshot(clone), null, List.of(), plan.status(), Event.normal("SnapshotCreated",
                    "created snapshot " + status.snapshotName + " of VM " + clone.getSpec().source.name), Duration.ZERO);
        }
        status.snapshotName = snapshotInUse(clone);
        if (o.snapshot() == null) {
            return waiting(status, null, false, "source snapshot " + status.snapshotName + " does not exist");
        }
        if (o.snapshot().getStatus() != null && VirtualMachineSnapshot.FAILED.equals(o.snapshot().getStatus().phase)) {
            return failed(o, status, "snapshot " + status.snapshotName + " failed");
        }
        if (o.snapshot().getStatus() == null || !Boolean.TRUE.equals(o.snapshot().getStatus().readyToUse) || o.content() == null) {
            return waiting(status, VirtualMachineClone.SNAPSHOT_IN_PROGRESS, true, "waiting for snapshot " + status.snapshotName);
        }
        if (o.restore() == null) {
            status.restoreName = restoreName(clone);
            VmClonePlan plan = waiting(status, VirtualMachineClone.RESTORE_IN_PROGRESS, true, "restoring into VM " + target);
            return new VmClonePlan(null, restore(clone, o.content(), target), List.of(), plan.status(),
                    Event.normal("RestoreCreated", "created restore " + status.restoreName + " into VM " + target), Duration.ZERO);
        }
        VirtualMachineRestore.Status restored = o.restore().getStatus();
        if (restored != null && Conditions.isTrue(restored.conditions, SnapshotCondition.FAILURE)) {
            return failed(o, status, "restore " + o.restore().getMetadata().getName() + " failed: "
                    + Conditions.find(restored.conditions, SnapshotCondition.FAILURE).reason);
        }
        if (restored == null || !Boolean.TRUE.equals(restored.complete)) {
            return waiting(status, VirtualMachineClone.RESTORE_IN_PROGRESS, true, "restoring into VM " + target);
        }
        if (o.target() == null) {
            return waiting(status, VirtualMachineClone.CREATING_TARGET_VM, true, "waiting for VM " + target);
        }
        status.phase = VirtualMachineClone.SUCCEEDED;
        status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, false, "Operation complete"),
                condition(SnapshotCondition.READY, true, "Operation complete"));
        return new VmClonePlan(null, null, temporaries(o), status, Event.normal("CloneSucceeded", "VM " + target + " cloned from "
                + clone.getSpec().source.kind + " " + clone.getSpec().source.name), null);
    }

    /** The clone's own snapshot and restore, once it ended (a source snapshot stays). */
    private static List<HasMetadata> temporaries(VmCloneObserved o) {
        List<HasMetadata> gone = new ArrayList<>();
        if (o.restore() != null) {
            gone.add(o.restore());
        }
        if (o.snapshot() != null && !fromSnapshot(o.vmClone())) {
            gone.add(o.snapshot());
        }
        return gone;
    }

    private static VmClonePlan waiting(VirtualMachineClone.Status status, String phase, boolean progressing, String reason) {
        status.phase = phase;
        status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, progressing, reason),
                condition(SnapshotCondition.READY, false, reason));
        return new VmClonePlan(null, null, List.of(), status, null, progressing ? null : RETRY);
    }

    private static VmClonePlan failed(VmCloneObserved o, VirtualMachineClone.Status status, String reason) {
        status.phase = VirtualMachineClone.FAILED;
        status.conditions = List.of(condition(SnapshotCondition.PROGRESSING, false, reason), condition(SnapshotCondition.READY, false, reason));
        return new VmClonePlan(null, null, temporaries(o), status, Event.warning("CloneFailed", reason), null);
    }

    private static SnapshotCondition condition(String type, boolean status, String reason) {
        return Conditions.of(SnapshotCondition::new, type, status, reason, null);
    }

    private static ObjectMeta temporary(VirtualMachineClone clone, String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace(clone.getMetadata().getNamespace())
                .withLabels(Map.of(SnapshotNames.LABEL_CLONE, clone.getMetadata().getName()))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(VirtualMachineClone.GROUP + "/" + VirtualMachineClone.VERSION)
                        .withKind("VirtualMachineClone").withName(clone.getMetadata().getName()).withUid(clone.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build()).build();
    }

    static VirtualMachineSnapshot snapshot(VirtualMachineClone clone) {
        VirtualMachineSnapshot snapshot = new VirtualMachineSnapshot();
        snapshot.setMetadata(temporary(clone, snapshotName(clone)));
        snapshot.setSpec(new VirtualMachineSnapshot.Spec());
        snapshot.getSpec().source = ObjectReference.virtualMachine(clone.getSpec().source.name);
        return snapshot;
    }

    static VirtualMachineRestore restore(VirtualMachineClone clone, VirtualMachineSnapshotContent content, String target) {
        VirtualMachineRestore restore = new VirtualMachineRestore();
        restore.setMetadata(temporary(clone, restoreName(clone)));
        restore.setSpec(new VirtualMachineRestore.Spec());
        restore.getSpec().target = ObjectReference.virtualMachine(target);
        restore.getSpec().virtualMachineSnapshotName = snapshotInUse(clone);
        restore.getSpec().volumeRestorePolicy = clone.getSpec().volumeNamePolicy == null ? VirtualMachineRestore.RANDOMIZE_NAMES
                : clone.getSpec().volumeNamePolicy;
        List<String> patches = new ArrayList<>(patches(clone, content.getSpec().source.virtualMachine));
        if (clone.getSpec().patches != null) {
            patches.addAll(clone.getSpec().patches);
        }
        restore.getSpec().patches = patches;
        return restore;
    }

    /**
     * The JSON patches that make the copy its own machine: each interface's MAC the one given in
     * {@code newMacAddresses}, else removed (a new one is generated); the SMBIOS serial given, else
     * a new one; a new firmware UUID; labels and annotations (of the VM and of its template) the
     * filters leave out removed.
     */
    static List<String> patches(VirtualMachineClone clone, VirtualMachineSnapshotContent.SourceVirtualMachine source) {
        List<String> patches = new ArrayList<>();
        VmSpec spec = source.spec;
        VmiSpec.Domain domain = spec.template.spec.domain;
        List<VmiSpec.Interface> interfaces = domain.devices == null || domain.devices.interfaces == null ? List.of()
                : domain.devices.interfaces;
        Map<String, String> macs = clone.getSpec().newMacAddresses == null ? Map.of() : clone.getSpec().newMacAddresses;
        for (int i = 0; i < interfaces.size(); i++) {
            String path = "/spec/template/spec/domain/devices/interfaces/" + i + "/macAddress";
            String given = macs.get(interfaces.get(i).name);
            if (given != null) {
                patches.add(op("add", path, given));
            } else if (interfaces.get(i).macAddress != null) {
                patches.add(op("remove", path, null));
            }
        }
        String uid = clone.getMetadata().getUid() == null ? clone.getMetadata().getName() : clone.getMetadata().getUid();
        String serial = clone.getSpec().newSMBiosSerial != null ? clone.getSpec().newSMBiosSerial
                : UUID.nameUUIDFromBytes(("serial:" + uid).getBytes(StandardCharsets.UTF_8)).toString();
        String firmwareUuid = UUID.nameUUIDFromBytes(("uuid:" + uid).getBytes(StandardCharsets.UTF_8)).toString();
        if (domain.firmware == null) {
            ObjectNode firmware = JSON.createObjectNode().put("serial", serial).put("uuid", firmwareUuid);
            patches.add(op("add", "/spec/template/spec/domain/firmware", firmware));
        } else {
            patches.add(op("add", "/spec/template/spec/domain/firmware/serial", serial));
            patches.add(op("add", "/spec/template/spec/domain/firmware/uuid", firmwareUuid));
        }
        filtered(patches, "/metadata/labels/", source.metadata.getLabels(), clone.getSpec().labelFilters);
        filtered(patches, "/metadata/annotations/", source.metadata.getAnnotations(), clone.getSpec().annotationFilters);
        ObjectMeta template = spec.template.metadata;
        VirtualMachineClone.TemplateFilters filters = clone.getSpec().template;
        if (template != null && filters != null) {
            filtered(patches, "/spec/template/metadata/labels/", template.getLabels(), filters.labelFilters);
            filtered(patches, "/spec/template/metadata/annotations/", template.getAnnotations(), filters.annotationFilters);
        }
        return patches;
    }

    private static void filtered(List<String> patches, String prefix, Map<String, String> values, List<String> filters) {
        if (values == null || filters == null || filters.isEmpty()) {
            return;
        }
        for (String key : values.keySet()) {
            if (!kept(key, filters)) {
                patches.add(op("remove", prefix + key.replace("~", "~0").replace("/", "~1"), null));
            }
        }
    }

    /** KubeVirt's filters: in order, the last one matching decides; {@code !pattern} excludes; {@code *} is a wildcard; none matching: left out. */
    static boolean kept(String key, List<String> filters) {
        boolean kept = false;
        for (String filter : filters) {
            boolean negated = filter.startsWith("!");
            String pattern = negated ? filter.substring(1) : filter;
            if (glob(pattern).matcher(key).matches()) {
                kept = !negated;
            }
        }
        return kept;
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static String op(String op, String path, Object value) {
        ObjectNode node = JSON.createObjectNode().put("op", op).put("path", path);
        if (value instanceof String s) {
            node.put("value", s);
        } else if (value != null) {
            node.set("value", JSON.valueToTree(value));
        }
        return node.toString();
    }
}
