package dev.ferry.controllers.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.Annotations;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineRestore;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.runtime.Models;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TypedLocalObjectReference;
import io.fabric8.kubernetes.api.model.TypedObjectReference;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a restore makes, as KubeVirt's {@code restore.go} makes it: each claim's name by the volume
 * restore policy, the claim from its backup and VolumeSnapshot, and the VM rewritten onto the
 * restored claims and pre-populated DataVolumes.
 */
public final class RestoredObjects {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DROPPED_ANNOTATION_PREFIXES = List.of("pv.kubernetes.io", "volume.beta.kubernetes.io",
            "cdi.kubevirt.io", "volume.kubernetes.io", "k8s.io/CloneRequest", "k8s.io/CloneOf");

    private RestoredObjects() {
    }

    /** The target VM's name. */
    public static String targetName(VirtualMachineRestore restore) {
        return restore.getSpec().target.name;
    }

    /** The restored claim's name: an override's, the original's (InPlace), {@code <target>-<volume>} (PrefixTargetName), or {@code restore-<uid>-<volume>}. */
    public static String claimName(VirtualMachineRestore restore, VirtualMachineSnapshotContent.VolumeBackup backup) {
        VirtualMachineRestore.VolumeRestoreOverride override = override(restore, backup.volumeName);
        if (override != null && override.restoreName != null && !override.restoreName.isEmpty()) {
            return override.restoreName;
        }
        String policy = restore.getSpec().volumeRestorePolicy;
        if (VirtualMachineRestore.IN_PLACE.equals(policy)) {
            return backup.persistentVolumeClaim.metadata.getName();
        }
        if (VirtualMachineRestore.PREFIX_TARGET_NAME.equals(policy)) {
            return SnapshotNames.prefixed(targetName(restore), backup.volumeName);
        }
        return SnapshotNames.randomized(restore, backup.volumeName);
    }

    private static VirtualMachineRestore.VolumeRestoreOverride override(VirtualMachineRestore restore, String volume) {
        return restore.getSpec().volumeRestoreOverrides == null ? null : restore.getSpec().volumeRestoreOverrides.stream()
                .filter(o -> volume.equals(o.volumeName)).findFirst().orElse(null);
    }

    /** The names of the snapshot VM's DataVolume templates. */
    public static List<String> templateNames(VmSpec spec) {
        return spec.dataVolumeTemplates == null ? List.of() : spec.dataVolumeTemplates.stream().map(t -> t.metadata.getName()).toList();
    }

    /** The volume of the snapshot VM a backup is of. */
    static VmiSpec.Volume volume(VmSpec spec, String name) {
        return spec.template.spec.volumes.stream().filter(v -> name.equals(v.name)).findFirst().orElse(null);
    }

    /** Whether the backup's volume is a DataVolume made from one of the VM's templates (restored as a pre-populated DataVolume). */
    static boolean fromTemplate(VmSpec spec, VirtualMachineSnapshotContent.VolumeBackup backup) {
        VmiSpec.Volume volume = volume(spec, backup.volumeName);
        return volume != null && volume.dataVolume != null && templateNames(spec).contains(volume.dataVolume.name);
    }

    /**
     * The restored claim: the backup's claim (labels, annotations without the provisioning ones,
     * modes, class, size at least the snapshot's) populated from the VolumeSnapshot.
     */
    static PersistentVolumeClaim claim(VirtualMachineRestore restore, VirtualMachineSnapshotContent content,
            VirtualMachineSnapshotContent.VolumeBackup backup, VolumeSnapshot vs, OwnerReference targetOwner) {
        VmSpec spec = content.getSpec().source.virtualMachine.spec;
        String name = claimName(restore, backup);
        ObjectMeta source = backup.persistentVolumeClaim.metadata;
        Map<String, String> labels = new LinkedHashMap<>(source.getLabels() == null ? Map.of() : source.getLabels());
        labels.put(SnapshotNames.LABEL_RESTORE_SOURCE_VM_NAME, content.getSpec().source.virtualMachine.metadata.getName());
        labels.put(SnapshotNames.LABEL_RESTORE_SOURCE_VM_NAMESPACE, content.getSpec().source.virtualMachine.metadata.getNamespace());
        Map<String, String> annotations = new LinkedHashMap<>();
        (source.getAnnotations() == null ? Map.<String, String>of() : source.getAnnotations()).forEach((k, v) -> {
            if (SnapshotNames.ANN_CONTENT_TYPE.equals(k) || DROPPED_ANNOTATION_PREFIXES.stream().noneMatch(k::startsWith)) {
                annotations.put(k, v);
            }
        });
        annotations.put(SnapshotNames.ANN_RESTORE_NAME, restore.getMetadata().getName());
        annotations.put(SnapshotNames.ANN_LAST_RESTORE_UID, SnapshotNames.restoreUid(restore));
        VirtualMachineRestore.VolumeRestoreOverride override = override(restore, backup.volumeName);
        if (override != null) {
            if (override.labels != null) {
                labels.putAll(override.labels);
            }
            if (override.annotations != null) {
                annotations.putAll(override.annotations);
            }
        }
        List<OwnerReference> owners = new ArrayList<>();
        if (fromTemplate(spec, backup)) {
            annotations.put(SnapshotNames.ANN_POPULATED_FOR, name);
        } else if (!VirtualMachineRestore.OWNERSHIP_NONE.equals(restore.getSpec().volumeOwnershipPolicy)) {
            if (targetOwner != null) {
                owners.add(targetOwner);
            } else {
                annotations.put(SnapshotNames.ANN_OWNED_BY_VM, "true");
            }
        }
        PersistentVolumeClaimSpec was = backup.persistentVolumeClaim.spec;
        PersistentVolumeClaim pvc = new PersistentVolumeClaim();
        pvc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(restore.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(annotations).withOwnerReferences(owners.isEmpty() ? null : owners).build());
        PersistentVolumeClaimSpec spec2 = new PersistentVolumeClaimSpec();
        spec2.setAccessModes(was.getAccessModes());
        spec2.setStorageClassName(was.getStorageClassName());
        spec2.setVolumeMode(was.getVolumeMode());
        spec2.setResources(Models.copy(was.getResources(), io.fabric8.kubernetes.api.model.VolumeResourceRequirements.class));
        Quantity restoreSize = vs == null || vs.getStatus() == null ? null : vs.getStatus().restoreSize;
        Quantity requested = spec2.getResources() == null || spec2.getResources().getRequests() == null ? null
                : spec2.getResources().getRequests().get("storage");
        if (restoreSize != null && (requested == null
                || Quantity.getAmountInBytes(restoreSize).compareTo(Quantity.getAmountInBytes(requested)) > 0)) {
            if (spec2.getResources() == null) {
                spec2.setResources(new io.fabric8.kubernetes.api.model.VolumeResourceRequirements());
            }
            Map<String, Quantity> requests = new HashMap<>(spec2.getResources().getRequests() == null ? Map.of()
                    : spec2.getResources().getRequests());
            requests.put("storage", restoreSize);
            spec2.getResources().setRequests(requests);
        }
        spec2.setDataSource(new TypedLocalObjectReference(VolumeSnapshot.GROUP, VolumeSnapshot.KIND, backup.volumeSnapshotName));
        spec2.setDataSourceRef(new TypedObjectReference(VolumeSnapshot.GROUP, VolumeSnapshot.KIND, backup.volumeSnapshotName, null));
        pvc.setSpec(spec2);
        return pvc;
    }

    /**
     * The snapshot VM's spec on the restored claims: claim volumes name their new claims, template
     * DataVolumes are renamed and marked pre-populated (the VM controller makes them, and they adopt
     * the restored claims of their names instead of importing), other DataVolumes become claim volumes.
     */
    static VmSpec rewrite(VirtualMachineRestore restore, VirtualMachineSnapshotContent content) {
        VmSpec spec = Models.copy(content.getSpec().source.virtualMachine.spec, VmSpec.class);
        List<String> templates = templateNames(spec);
        Map<String, String> renamedTemplates = new HashMap<>();
        for (VirtualMachineSnapshotContent.VolumeBackup backup : content.getSpec().volumeBackups == null
                ? List.<VirtualMachineSnapshotContent.VolumeBackup>of() : content.getSpec().volumeBackups) {
            VmiSpec.Volume volume = volume(spec, backup.volumeName);
            if (volume == null) {
                continue;
            }
            String name = claimName(restore, backup);
            if (volume.persistentVolumeClaim != null) {
                volume.persistentVolumeClaim.claimName = name;
            } else if (volume.dataVolume != null && templates.contains(volume.dataVolume.name)) {
                renamedTemplates.put(volume.dataVolume.name, name);
                volume.dataVolume.name = name;
            } else if (volume.dataVolume != null) {
                volume.dataVolume = null;
                volume.persistentVolumeClaim = new VmiSpec.ClaimRef();
                volume.persistentVolumeClaim.claimName = name;
            }
        }
        if (spec.dataVolumeTemplates != null) {
            List<VmSpec.DataVolumeTemplate> kept = new ArrayList<>();
            for (VmSpec.DataVolumeTemplate template : spec.dataVolumeTemplates) {
                String renamed = renamedTemplates.get(template.metadata.getName());
                if (renamed == null) {
                    // a template whose volume had no backup: made again from its source, as it was
                    kept.add(template);
                    continue;
                }
                Map<String, String> annotations = new LinkedHashMap<>(template.metadata.getAnnotations() == null ? Map.of()
                        : template.metadata.getAnnotations());
                annotations.put(SnapshotNames.ANN_RESTORE_NAME, restore.getMetadata().getName());
                annotations.put(Annotations.PRE_POPULATED, renamed);
                template.metadata = new ObjectMetaBuilder(template.metadata).withName(renamed).withAnnotations(annotations).build();
                kept.add(template);
            }
            spec.dataVolumeTemplates = kept;
        }
        return spec;
    }

    /** A new target VM: the snapshot VM's labels and annotations, halted, the restore's patches applied. */
    static VirtualMachine newVm(VirtualMachineRestore restore, VirtualMachineSnapshotContent content, VmSpec spec) throws IOException {
        ObjectMeta was = content.getSpec().source.virtualMachine.metadata;
        Map<String, String> annotations = new LinkedHashMap<>(was.getAnnotations() == null ? Map.of() : was.getAnnotations());
        annotations.put(SnapshotNames.ANN_LAST_RESTORE_UID, SnapshotNames.restoreUid(restore));
        annotations.put(SnapshotNames.ANN_RESTORE_NAME, restore.getMetadata().getName());
        VirtualMachine vm = new VirtualMachine();
        vm.setMetadata(new ObjectMetaBuilder().withName(targetName(restore)).withNamespace(restore.getMetadata().getNamespace())
                .withLabels(was.getLabels()).withAnnotations(annotations).build());
        spec.running = null;
        spec.runStrategy = VmSpec.HALTED;
        vm.setSpec(spec);
        if (restore.getSpec().patches == null || restore.getSpec().patches.isEmpty()) {
            return vm;
        }
        JsonNode tree = JSON.valueToTree(vm);
        com.fasterxml.jackson.databind.node.ArrayNode ops = JSON.createArrayNode();
        for (String patch : restore.getSpec().patches) {
            ops.add(JSON.readTree(patch));
        }
        JsonNode patched;
        try {
            patched = JsonPatch.apply(ops, tree);
        } catch (RuntimeException e) {
            throw new IOException("the restore's patches do not apply to VM " + targetName(restore) + ": " + e.getMessage(), e);
        }
        return JSON.treeToValue(patched, VirtualMachine.class);
    }

    /** The existing target with the snapshot's spec, keeping how it runs, marked by this restore. */
    static VirtualMachine rewritten(VirtualMachineRestore restore, VirtualMachine target, VmSpec spec) {
        VirtualMachine vm = Models.copy(target, VirtualMachine.class);
        spec.running = target.getSpec().running;
        spec.runStrategy = target.getSpec().runStrategy;
        vm.setSpec(spec);
        Map<String, String> annotations = new LinkedHashMap<>(target.getMetadata().getAnnotations() == null ? Map.of()
                : target.getMetadata().getAnnotations());
        annotations.put(SnapshotNames.ANN_LAST_RESTORE_UID, SnapshotNames.restoreUid(restore));
        annotations.put(SnapshotNames.ANN_RESTORE_NAME, restore.getMetadata().getName());
        vm.getMetadata().setAnnotations(annotations);
        return vm;
    }

    public static OwnerReference owner(VirtualMachine vm) {
        return new OwnerReferenceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachine").withName(vm.getMetadata().getName())
                .withUid(vm.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
    }
}
