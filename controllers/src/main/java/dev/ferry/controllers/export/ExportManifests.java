package dev.ferry.controllers.export;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VmSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The manifests an export hands out, as KubeVirt's do: {@code all} — the CA ConfigMap
 * {@code export-ca-cm-<name>} and the VM (its DataVolume templates importing from the export's
 * gzip links) or, for a claim or snapshot, a DataVolume per volume — and {@code secret}, the CDI
 * header Secret {@code header-secret-<name>} ({@code token: "x-kubevirt-export-token:<token>"})
 * those imports send. Kept in a Secret (the token is in it) mounted into the export server.
 */
final class ExportManifests {
    /** Jackson's YAML (the models' own annotations): a decision renders text without the Kubernetes client. */
    private static final com.fasterxml.jackson.dataformat.yaml.YAMLMapper YAML = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();

    private ExportManifests() {
    }

    private static String yaml(Object object) {
        try {
            return YAML.writeValueAsString(object);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a manifest: " + e.getMessage(), e);
        }
    }

    static Secret secret(VirtualMachineExport export, String name, OwnerReference owner, VirtualMachine vm, List<String> claims,
            Map<String, PersistentVolumeClaim> observed, VirtualMachineExport.Link internal, String base, String token) {
        // the external manifests are the internal ones with the server's address as the client reached it (the server rewrites them)
        Map<String, String> files = new LinkedHashMap<>();
        files.put("internal-all", all(export, vm, claims, observed, internal));
        files.put("internal-secret", headerSecret(export, token));
        files.put("internal-base", base);
        return new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(export.getMetadata().getNamespace())
                        .withLabels(Map.of(ExportDecision.LABEL_EXPORT, export.getMetadata().getName())).withOwnerReferences(owner).build())
                .withType("Opaque").withStringData(files).build();
    }

    static String caConfigMap(VirtualMachineExport export) {
        return "export-ca-cm-" + export.getMetadata().getName();
    }

    static String headerSecretName(VirtualMachineExport export) {
        return "header-secret-" + export.getMetadata().getName();
    }

    private static String headerSecret(VirtualMachineExport export, String token) {
        return yaml(new SecretBuilder().withNewMetadata().withName(headerSecretName(export)).endMetadata()
                .withType("Opaque").withStringData(Map.of("token", "x-kubevirt-export-token:" + token)).build());
    }

    private static String all(VirtualMachineExport export, VirtualMachine vm, List<String> claims, Map<String, PersistentVolumeClaim> observed,
            VirtualMachineExport.Link link) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new ConfigMapBuilder().withNewMetadata().withName(caConfigMap(export)).endMetadata()
                .withData(Map.of("ca.pem", link.cert)).build());
        // each volume as a DataVolume imports it: a disk from its gzip link, an archive from its tar.gz
        Map<String, String> gzip = link.volumes.stream().collect(Collectors.toMap(v -> v.name, v -> v.formats.stream()
                .filter(f -> VirtualMachineExport.GZIP.equals(f.format) || VirtualMachineExport.TAR_GZ.equals(f.format))
                .findFirst().orElseThrow().url));
        if (vm != null) {
            VirtualMachine copy = new VirtualMachine();
            copy.setMetadata(new ObjectMetaBuilder().withName(vm.getMetadata().getName()).withLabels(vm.getMetadata().getLabels())
                    .withAnnotations(vm.getMetadata().getAnnotations()).build());
            copy.setSpec(YAML.convertValue(vm.getSpec(), VmSpec.class));
            if (copy.getSpec().dataVolumeTemplates == null) {
                copy.getSpec().dataVolumeTemplates = new ArrayList<>();
            }
            for (VmSpec.DataVolumeTemplate template : copy.getSpec().dataVolumeTemplates) {
                String url = gzip.get(template.metadata.getName());
                if (url != null) {
                    template.spec.source = source(export, url);
                    template.spec.sourceRef = null;
                }
            }
            objects.add(copy);
        } else {
            for (String claim : claims) {
                DataVolume dv = new DataVolume();
                dv.setMetadata(new ObjectMetaBuilder().withName(claim).build());
                dv.setSpec(new dev.ferry.api.cdi.v1beta1.DataVolumeSpec());
                dv.getSpec().source = source(export, gzip.get(claim));
                PersistentVolumeClaim pvc = observed.get(claim);
                if (ExportDecision.archive(pvc)) {
                    dv.getSpec().contentType = "archive";
                }
                dv.getSpec().storage = new dev.ferry.api.cdi.v1beta1.StorageSpec();
                dv.getSpec().storage.resources = pvc.getSpec().getResources();
                dv.getSpec().storage.volumeMode = pvc.getSpec().getVolumeMode();
                objects.add(dv);
            }
        }
        return objects.stream().map(ExportManifests::yaml).collect(Collectors.joining());
    }

    private static DataVolumeSource source(VirtualMachineExport export, String url) {
        DataVolumeSource source = new DataVolumeSource();
        source.http = new DataVolumeSource.Http();
        source.http.url = url;
        source.http.certConfigMap = caConfigMap(export);
        source.http.secretExtraHeaders = List.of(headerSecretName(export));
        return source;
    }
}
