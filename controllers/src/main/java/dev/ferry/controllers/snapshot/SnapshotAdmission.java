package dev.ferry.controllers.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.clone.v1beta1.VirtualMachineClone;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.controllers.runtime.GoDuration;
import dev.ferry.controllers.vm.RunStrategy;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * KubeVirt's admission rules for snapshots, restores and clones ({@code pkg/storage/admitters/}
 * {@code vmsnapshot.go}, {@code vmrestore.go}, {@code vm-storage-status.go}), each a pure check
 * that returns KubeVirt's refusal or null: a VM held by a snapshot keeps its volumes and its run
 * state, a VM being restored keeps its run strategy, snapshot and restore specs are immutable,
 * their references are VMs, and a restore's patches touch only the spec, labels and annotations.
 */
public final class SnapshotAdmission {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PATCH_PATHS = List.of("/spec/", "/metadata/labels/", "/metadata/annotations/");

    private SnapshotAdmission() {
    }

    /** An update of a VM (its spec or its status) while a snapshot or restore holds it. */
    public static String vmUpdate(VirtualMachine old, VirtualMachine updated) {
        VmStatus status = old.getStatus();
        if (status == null || updated.getSpec() == null || old.getSpec() == null) {
            return null;
        }
        if (status.snapshotInProgress != null) {
            String snapshot = status.snapshotInProgress;
            if (!same(old.getSpec().template == null || old.getSpec().template.spec == null ? null : old.getSpec().template.spec.volumes,
                    updated.getSpec().template == null || updated.getSpec().template.spec == null ? null : updated.getSpec().template.spec.volumes)
                    || !same(disks(old), disks(updated))) {
                return "Cannot update vm disks or volumes until snapshot \"" + snapshot + "\" completes";
            }
            if (!Objects.equals(strategy(old), strategy(updated)) || requested(old, updated)) {
                return "Cannot update vm running state until snapshot \"" + snapshot + "\" completes";
            }
        }
        if (status.restoreInProgress != null && (!Objects.equals(strategy(old), strategy(updated)) || requested(old, updated))) {
            return "Cannot update VM runStrategy until restore \"" + status.restoreInProgress + "\" completes";
        }
        return null;
    }

    public static String snapshotCreate(VirtualMachineSnapshot snapshot) {
        if (snapshot.getSpec() == null) {
            return "missing spec";
        }
        String refused = vmReference(snapshot.getSpec().source, "spec.source");
        if (refused != null) {
            return refused;
        }
        if (snapshot.getSpec().deletionPolicy != null && !VirtualMachineSnapshot.DELETE.equals(snapshot.getSpec().deletionPolicy)
                && !VirtualMachineSnapshot.RETAIN.equals(snapshot.getSpec().deletionPolicy)) {
            return "spec.deletionPolicy " + snapshot.getSpec().deletionPolicy + " is neither Delete nor Retain";
        }
        if (snapshot.getSpec().failureDeadline != null) {
            try {
                GoDuration.parse(snapshot.getSpec().failureDeadline);
            } catch (IllegalArgumentException e) {
                return "spec.failureDeadline: " + e.getMessage();
            }
        }
        return null;
    }

    /** A restore, with the other restores of its namespace. */
    public static String restoreCreate(VirtualMachineRestore restore, List<VirtualMachineRestore> others) {
        if (restore.getSpec() == null) {
            return "missing spec";
        }
        String refused = vmReference(restore.getSpec().target, "spec.target");
        if (refused != null) {
            return refused;
        }
        if (restore.getSpec().virtualMachineSnapshotName == null || restore.getSpec().virtualMachineSnapshotName.isEmpty()) {
            return "missing virtualMachineSnapshotName";
        }
        for (VirtualMachineRestore other : others) {
            if (!other.getMetadata().getName().equals(restore.getMetadata().getName()) && other.getSpec() != null
                    && other.getSpec().target != null && restore.getSpec().target.name.equals(other.getSpec().target.name)
                    && (other.getStatus() == null || !Boolean.TRUE.equals(other.getStatus().complete))) {
                return "VirtualMachineRestore \"" + other.getMetadata().getName() + "\" in progress";
            }
        }
        for (String patch : restore.getSpec().patches == null ? List.<String>of() : restore.getSpec().patches) {
            JsonNode op;
            try {
                op = JSON.readTree(patch);
            } catch (IOException e) {
                return "patch " + patch + " is not a JSON patch operation";
            }
            String path = op == null ? "" : op.path("path").asText("");
            if (PATCH_PATHS.stream().noneMatch(path::startsWith)) {
                return "patching is allowed only for paths under /spec/, /metadata/labels/ and /metadata/annotations/, not " + path;
            }
        }
        String readiness = oneOf("spec.targetReadinessPolicy", restore.getSpec().targetReadinessPolicy, VirtualMachineRestore.STOP_TARGET,
                VirtualMachineRestore.WAIT_GRACE_PERIOD, VirtualMachineRestore.FAIL_IMMEDIATE, VirtualMachineRestore.WAIT_EVENTUALLY);
        return readiness != null ? readiness : oneOf("spec.volumeRestorePolicy", restore.getSpec().volumeRestorePolicy,
                VirtualMachineRestore.RANDOMIZE_NAMES, VirtualMachineRestore.IN_PLACE, VirtualMachineRestore.PREFIX_TARGET_NAME);
    }

    public static String cloneCreate(VirtualMachineClone clone) {
        if (clone.getSpec() == null || clone.getSpec().source == null) {
            return "missing spec.source";
        }
        ObjectReference source = clone.getSpec().source;
        boolean vm = "VirtualMachine".equals(source.kind) && "kubevirt.io".equals(source.apiGroup);
        boolean snapshot = "VirtualMachineSnapshot".equals(source.kind) && VirtualMachineSnapshot.GROUP.equals(source.apiGroup);
        if (!vm && !snapshot) {
            return "spec.source must be a VirtualMachine (kubevirt.io) or a VirtualMachineSnapshot (snapshot.kubevirt.io), not "
                    + source.apiGroup + "/" + source.kind;
        }
        if (source.name == null || source.name.isEmpty()) {
            return "spec.source.name is missing";
        }
        return clone.getSpec().target == null ? null : vmReference(clone.getSpec().target, "spec.target");
    }

    /** Specs of snapshots, restores and clones do not change after creation. */
    public static String specUpdate(Object oldSpec, Object newSpec) {
        return same(oldSpec, newSpec) ? null : "spec in immutable after creation";
    }

    private static String vmReference(ObjectReference ref, String field) {
        if (ref == null) {
            return "missing " + field;
        }
        if (ref.apiGroup == null || ref.apiGroup.isEmpty()) {
            return "missing apiGroup";
        }
        if (!"kubevirt.io".equals(ref.apiGroup)) {
            return "invalid apiGroup";
        }
        if (!"VirtualMachine".equals(ref.kind)) {
            return "invalid kind";
        }
        return ref.name == null || ref.name.isEmpty() ? "missing " + field + ".name" : null;
    }

    private static String oneOf(String field, String value, String... allowed) {
        if (value == null || List.of(allowed).contains(value)) {
            return null;
        }
        return field + " " + value + " is not one of " + String.join(", ", allowed);
    }

    private static Object disks(VirtualMachine vm) {
        var template = vm.getSpec().template;
        return template == null || template.spec == null || template.spec.domain == null || template.spec.domain.devices == null ? null
                : template.spec.domain.devices.disks;
    }

    private static String strategy(VirtualMachine vm) {
        try {
            return RunStrategy.of(vm.getSpec());
        } catch (IllegalArgumentException e) {
            return "invalid";
        }
    }

    /** Whether the update queues a start or stop request (status.stateChangeRequests grows). */
    private static boolean requested(VirtualMachine old, VirtualMachine updated) {
        int before = old.getStatus() == null || old.getStatus().stateChangeRequests == null ? 0 : old.getStatus().stateChangeRequests.size();
        int after = updated.getStatus() == null || updated.getStatus().stateChangeRequests == null ? 0
                : updated.getStatus().stateChangeRequests.size();
        return after > before;
    }

    private static boolean same(Object a, Object b) {
        return Objects.equals(JSON.valueToTree(a), JSON.valueToTree(b));
    }
}
