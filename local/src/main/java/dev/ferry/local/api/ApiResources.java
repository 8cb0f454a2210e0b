package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What local mode's API server serves, resource by resource: the core kinds Ferry uses and every
 * version of every registered CRD — the one model discovery, OpenAPI, server-side printing and
 * the HTTP front's path parsing read.
 */
public final class ApiResources {
    static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** A printer column: CRD {@code additionalPrinterColumns} or a core kind's standard column. */
    public record Column(String name, String type, String jsonPath, int priority, String description) {
    }

    /** One resource of one group/version. {@code schema} is its OpenAPI v3 schema, or null. */
    public record Resource(String group, String version, String plural, String singular, String kind, boolean namespaced,
            List<String> shortNames, List<String> categories, List<String> verbs, List<String> subresources,
            List<Column> columns, JsonNode schema, boolean storage) {
        public String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** The path prefix of its group/version: {@code /api/v1} or {@code /apis/g/v}. */
        public String prefix() {
            return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        }
    }

    private final List<Resource> resources;

    private ApiResources(List<Resource> resources) {
        this.resources = List.copyOf(resources);
    }

    public List<Resource> all() {
        return resources;
    }

    /** The resource served at {@code group/version/plural}. */
    public Optional<Resource> find(String group, String version, String plural) {
        return resources.stream().filter(r -> r.group.equals(group) && r.version.equals(version) && r.plural.equals(plural)).findFirst();
    }

    /** Group → its versions, preferred (the storage version, else the first) first. */
    public Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new TreeMap<>();
        for (Resource r : resources) {
            List<String> versions = groups.computeIfAbsent(r.group, g -> new ArrayList<>());
            if (!versions.contains(r.version)) {
                if (r.storage) {
                    versions.add(0, r.version);
                } else {
                    versions.add(r.version);
                }
            }
        }
        return groups;
    }

    public List<Resource> of(String group, String version) {
        return resources.stream().filter(r -> r.group.equals(group) && r.version.equals(version))
                .sorted(Comparator.comparing(Resource::plural)).toList();
    }

    /** The core kinds local mode serves (those Ferry's controllers, workers and a user touch) plus the CRDs. */
    public static ApiResources of(List<CustomResourceDefinition> crds) {
        List<Resource> list = new ArrayList<>(CORE);
        for (CustomResourceDefinition crd : crds) {
            var names = crd.getSpec().getNames();
            boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
            for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
                if (!Boolean.TRUE.equals(v.getServed())) {
                    continue;
                }
                List<Column> columns = new ArrayList<>();
                for (CustomResourceColumnDefinition c : Optional.ofNullable(v.getAdditionalPrinterColumns()).orElse(List.of())) {
                    columns.add(new Column(c.getName(), c.getType(), c.getJsonPath(), c.getPriority() == null ? 0 : c.getPriority(),
                            Optional.ofNullable(c.getDescription()).orElse("")));
                }
                if (columns.isEmpty()) {
                    columns.add(AGE);
                }
                List<String> subresources = v.getSubresources() != null && v.getSubresources().getStatus() != null
                        ? List.of("status") : List.of();
                JsonNode schema = v.getSchema() == null ? null : Serialization.jsonMapper().valueToTree(v.getSchema().getOpenAPIV3Schema());
                list.add(new Resource(crd.getSpec().getGroup(), v.getName(), names.getPlural(), names.getSingular(), names.getKind(),
                        namespaced, Optional.ofNullable(names.getShortNames()).orElse(List.of()),
                        Optional.ofNullable(names.getCategories()).orElse(List.of()), ALL_VERBS, subresources, columns, schema,
                        Boolean.TRUE.equals(v.getStorage())));
            }
        }
        list.add(new Resource("upload.cdi.kubevirt.io", "v1beta1", "uploadtokenrequests", "uploadtokenrequest", "UploadTokenRequest",
                true, List.of(), List.of(), List.of("create"), List.of(), List.of(AGE), null, true));
        return new ApiResources(list);
    }

    static final Column AGE = new Column("Age", "date", ".metadata.creationTimestamp", 0,
            "CreationTimestamp is a timestamp representing the server time when this object was created.");

    private static Column col(String name, String type, String path) {
        return new Column(name, type, path, 0, "");
    }

    private static Column wide(String name, String type, String path) {
        return new Column(name, type, path, 1, "");
    }

    private static Resource core(String plural, String kind, boolean namespaced, List<String> shortNames, List<String> categories,
            List<String> subresources, Column... columns) {
        return api("", "v1", plural, kind, namespaced, shortNames, categories, subresources, columns);
    }

    private static Resource api(String group, String version, String plural, String kind, boolean namespaced, List<String> shortNames,
            List<String> categories, List<String> subresources, Column... columns) {
        return new Resource(group, version, plural, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced, shortNames,
                categories, ALL_VERBS, subresources, List.of(columns), null, true);
    }

    /**
     * Core kinds with kube-apiserver's standard columns (the printers of {@code pkg/printers/internalversion});
     * a column whose path starts with {@code @} is computed by {@link Tables}.
     */
    static final List<Resource> CORE = List.of(
            core("namespaces", "Namespace", false, List.of("ns"), List.of(), List.of("status", "finalize"),
                    col("Status", "string", ".status.phase"), AGE),
            core("pods", "Pod", true, List.of("po"), List.of("all"), List.of("status", "log"),
                    col("Ready", "string", "@podReady"), col("Status", "string", "@podStatus"),
                    col("Restarts", "string", "@podRestarts"), AGE, wide("IP", "string", ".status.podIP"),
                    wide("Node", "string", ".spec.nodeName")),
            core("persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"), List.of(), List.of("status"),
                    col("Status", "string", ".status.phase"), col("Volume", "string", ".spec.volumeName"),
                    col("Capacity", "string", ".status.capacity.storage"), col("Access Modes", "string", "@accessModes"),
                    col("StorageClass", "string", ".spec.storageClassName"),
                    col("VolumeAttributesClass", "string", ".spec.volumeAttributesClassName"), AGE,
                    wide("VolumeMode", "string", ".spec.volumeMode")),
            core("persistentvolumes", "PersistentVolume", false, List.of("pv"), List.of(), List.of("status"),
                    col("Capacity", "string", ".spec.capacity.storage"), col("Access Modes", "string", "@accessModes"),
                    col("Reclaim Policy", "string", ".spec.persistentVolumeReclaimPolicy"), col("Status", "string", ".status.phase"),
                    col("Claim", "string", "@claim"), col("StorageClass", "string", ".spec.storageClassName"),
                    col("VolumeAttributesClass", "string", ".spec.volumeAttributesClassName"), col("Reason", "string", ".status.reason"),
                    AGE, wide("VolumeMode", "string", ".spec.volumeMode")),
            core("configmaps", "ConfigMap", true, List.of("cm"), List.of(), List.of(), col("Data", "integer", "@dataCount"), AGE),
            core("secrets", "Secret", true, List.of(), List.of(), List.of(), col("Type", "string", ".type"),
                    col("Data", "integer", "@dataCount"), AGE),
            core("services", "Service", true, List.of("svc"), List.of("all"), List.of("status"), col("Type", "string", ".spec.type"),
                    col("Cluster-IP", "string", ".spec.clusterIP"), col("External-IP", "string", "@externalIPs"),
                    col("Port(s)", "string", "@ports"), AGE, wide("Selector", "string", "@selector")),
            core("endpoints", "Endpoints", true, List.of("ep"), List.of(), List.of(), AGE),
            core("events", "Event", true, List.of("ev"), List.of(), List.of(), col("Last Seen", "string", "@lastSeen"),
                    col("Type", "string", ".type"), col("Reason", "string", ".reason"), col("Object", "string", "@involvedObject"),
                    col("Message", "string", ".message")),
            core("serviceaccounts", "ServiceAccount", true, List.of("sa"), List.of(), List.of(), AGE),
            core("nodes", "Node", false, List.of("no"), List.of(), List.of("status"), col("Status", "string", "@nodeReady"), AGE),
            api("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, List.of("sc"), List.of(), List.of(),
                    col("Provisioner", "string", ".provisioner"), col("ReclaimPolicy", "string", ".reclaimPolicy"),
                    col("VolumeBindingMode", "string", ".volumeBindingMode"),
                    col("AllowVolumeExpansion", "boolean", ".allowVolumeExpansion"), AGE),
            api("coordination.k8s.io", "v1", "leases", "Lease", true, List.of(), List.of(), List.of(),
                    col("Holder", "string", ".spec.holderIdentity"), AGE),
            api("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false,
                    List.of("crd", "crds"), List.of("api-extensions"), List.of("status"),
                    new Column("Created At", "date-time", ".metadata.creationTimestamp", 0, "")),
            new Resource("authorization.k8s.io", "v1", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", false,
                    List.of(), List.of(), List.of("create"), List.of(), List.of(AGE), null, true));

    /** A request path split into what it addresses; null parts are absent. */
    public record Target(Resource resource, String namespace, String name, String subresource) {
    }

    /**
     * What {@code path} (no query) addresses: {@code /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]} or
     * the same under {@code /apis/G/V}; empty when it names no served resource.
     */
    public Optional<Target> target(String path) {
        String[] p = path.replaceAll("/+$", "").split("/");
        int at;
        String group;
        String version;
        if (p.length >= 4 && p[1].equals("api")) {
            group = "";
            version = p[2];
            at = 3;
        } else if (p.length >= 5 && p[1].equals("apis")) {
            group = p[2];
            version = p[3];
            at = 4;
        } else {
            return Optional.empty();
        }
        String namespace = null;
        if (p.length > at + 2 && p[at].equals("namespaces") && find(group, version, p[at + 2]).isPresent()) {
            namespace = p[at + 1];
            at += 2;
        }
        Optional<Resource> resource = find(group, version, p[at]);
        if (resource.isEmpty()) {
            return Optional.empty();
        }
        String name = p.length > at + 1 ? p[at + 1] : null;
        String sub = p.length > at + 2 ? p[at + 2] : null;
        return Optional.of(new Target(resource.get(), namespace, name, sub));
    }

    /** Every served apiVersion and kind, for a message naming what is served. */
    public Map<String, List<String>> kindsByGroupVersion() {
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        for (Resource r : resources) {
            kinds.computeIfAbsent(r.groupVersion(), k -> new ArrayList<>()).add(r.kind);
        }
        return kinds;
    }
}
