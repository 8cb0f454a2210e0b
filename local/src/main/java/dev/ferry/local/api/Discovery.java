package dev.ferry.local.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes API discovery for local mode, as kube-apiserver answers it: {@code /version},
 * {@code /api}, {@code /apis}, {@code /apis/G}, the group-version resource lists, and the
 * aggregated documents ({@code apidiscovery.k8s.io/v2}) a client asks for by its Accept header.
 */
final class Discovery {
    /** The Kubernetes release local mode answers as (kubectl 1.32's skew window). */
    static final String KUBE_VERSION = "v1.32.0";
    static final String AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    static final String AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ApiResources resources;

    Discovery(ApiResources resources) {
        this.resources = resources;
    }

    static ObjectNode version() {
        return JSON.createObjectNode().put("major", "1").put("minor", "32").put("gitVersion", KUBE_VERSION + "+ferry")
                .put("gitCommit", "ferry-local").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
                .put("goVersion", "java").put("compiler", "ferry").put("platform", "linux/amd64");
    }

    /** {@code /api}: the legacy core group's versions. */
    ObjectNode coreVersions(String serverAddress) {
        ObjectNode doc = JSON.createObjectNode().put("kind", "APIVersions");
        doc.putArray("versions").add("v1");
        doc.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return doc;
    }

    /** {@code /apis}: every named group. */
    ObjectNode groupList() {
        ObjectNode doc = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = doc.putArray("groups");
        for (Map.Entry<String, List<String>> g : resources.groups().entrySet()) {
            if (!g.getKey().isEmpty()) {
                groups.add(group(g.getKey(), g.getValue()));
            }
        }
        return doc;
    }

    /** {@code /apis/G}, or null when G is not served. */
    ObjectNode group(String name) {
        List<String> versions = resources.groups().get(name);
        return versions == null || name.isEmpty() ? null : group(name, versions).put("apiVersion", "v1");
    }

    private static ObjectNode group(String name, List<String> versions) {
        ObjectNode group = JSON.createObjectNode().put("kind", "APIGroup").put("name", name);
        ArrayNode list = group.putArray("versions");
        for (String v : versions) {
            list.addObject().put("groupVersion", name + "/" + v).put("version", v);
        }
        group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
        return group;
    }

    /** {@code /api/v1} or {@code /apis/G/V}, or null when not served. */
    ObjectNode resourceList(String group, String version) {
        List<ApiResources.Resource> list = resources.of(group, version);
        if (list.isEmpty()) {
            return null;
        }
        ObjectNode doc = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", list.get(0).groupVersion());
        ArrayNode out = doc.putArray("resources");
        for (ApiResources.Resource r : list) {
            ObjectNode entry = out.addObject().put("name", r.plural()).put("singularName", r.singular()).put("namespaced", r.namespaced())
                    .put("kind", r.kind());
            strings(entry.putArray("verbs"), r.verbs());
            if (!r.shortNames().isEmpty()) {
                strings(entry.putArray("shortNames"), r.shortNames());
            }
            if (!r.categories().isEmpty()) {
                strings(entry.putArray("categories"), r.categories());
            }
            for (String sub : r.subresources()) {
                ObjectNode s = out.addObject().put("name", r.plural() + "/" + sub).put("singularName", "")
                        .put("namespaced", r.namespaced()).put("kind", sub.equals("log") ? "Pod" : r.kind());
                strings(s.putArray("verbs"), subresourceVerbs(sub));
            }
        }
        return doc;
    }

    private static List<String> subresourceVerbs(String sub) {
        return switch (sub) {
            case "log" -> List.of("get");
            case "finalize" -> List.of("update");
            default -> List.of("get", "patch", "update");
        };
    }

    /**
     * The aggregated discovery document of the legacy group ({@code core} true, for {@code /api}) or
     * of every named group ({@code /apis}), in {@code apidiscovery.k8s.io/<version>}.
     */
    ObjectNode aggregated(boolean core, String apiVersion) {
        ObjectNode doc = JSON.createObjectNode().put("kind", "APIGroupDiscoveryList").put("apiVersion", "apidiscovery.k8s.io/" + apiVersion);
        doc.putObject("metadata");
        ArrayNode items = doc.putArray("items");
        for (Map.Entry<String, List<String>> g : resources.groups().entrySet()) {
            if (g.getKey().isEmpty() != core) {
                continue;
            }
            ObjectNode item = items.addObject();
            ObjectNode metadata = item.putObject("metadata");
            if (!core) {
                metadata.put("name", g.getKey());
            }
            ArrayNode versions = item.putArray("versions");
            for (String v : g.getValue()) {
                ObjectNode version = versions.addObject().put("version", v).put("freshness", "Current");
                ArrayNode list = version.putArray("resources");
                for (ApiResources.Resource r : resources.of(g.getKey(), v)) {
                    ObjectNode entry = list.addObject().put("resource", r.plural()).put("singularResource", r.singular())
                            .put("scope", r.namespaced() ? "Namespaced" : "Cluster");
                    entry.putObject("responseKind").put("group", r.group()).put("version", r.version()).put("kind", r.kind());
                    strings(entry.putArray("verbs"), r.verbs());
                    if (!r.shortNames().isEmpty()) {
                        strings(entry.putArray("shortNames"), r.shortNames());
                    }
                    if (!r.categories().isEmpty()) {
                        strings(entry.putArray("categories"), r.categories());
                    }
                    if (!r.subresources().isEmpty()) {
                        ArrayNode subs = entry.putArray("subresources");
                        for (String sub : r.subresources()) {
                            ObjectNode s = subs.addObject().put("subresource", sub);
                            s.putObject("responseKind").put("group", sub.equals("log") ? "" : r.group())
                                    .put("version", sub.equals("log") ? "v1" : r.version()).put("kind", sub.equals("log") ? "Pod" : r.kind());
                            strings(s.putArray("verbs"), subresourceVerbs(sub));
                        }
                    }
                }
            }
        }
        return doc;
    }

    /** The aggregated media type {@code accept} asks for (v2 before v2beta1), or null for the legacy documents. */
    static String aggregatedAsked(String accept) {
        if (accept == null) {
            return null;
        }
        String compact = accept.replace(" ", "");
        for (String part : compact.split(",")) {
            if (part.startsWith("application/json;") && part.contains("as=APIGroupDiscoveryList") && part.contains("g=apidiscovery.k8s.io")) {
                return part.contains("v=v2beta1") ? AGGREGATED_V2BETA1 : AGGREGATED_V2;
            }
        }
        return null;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
