package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) for the core kinds
 * kubectl sends it for: a JSON merge patch whose lists of named things merge by their key
 * (containers by {@code name}, volume mounts by {@code mountPath}, …) as the Go types' patch tags
 * say, with the directives {@code $patch} (replace, delete, merge), {@code $retainKeys},
 * {@code $deleteFromPrimitiveList/…} and {@code $setElementOrder/…} (ordering only, dropped).
 * Lists without a merge key are replaced, as for {@code patchStrategy} unset.
 */
final class StrategicMerge {
    /** Field name → merge key of the core types' lists with {@code patchStrategy:"merge"}. */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("env", "name"), Map.entry("volumes", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("imagePullSecrets", "name"), Map.entry("hostAliases", "ip"),
            Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"), Map.entry("topologySpreadConstraints", "topologyKey"),
            Map.entry("resourceClaims", "name"), Map.entry("containerStatuses", "name"), Map.entry("podIPs", "ip"));
    /** Primitive lists that merge as sets. */
    private static final Set<String> MERGED_PRIMITIVES = Set.of("finalizers");

    private StrategicMerge() {
    }

    /** {@code original} with {@code patch} applied; neither is changed. */
    static JsonNode apply(JsonNode original, JsonNode patch) {
        JsonNode result = merge(original == null ? null : original.deepCopy(), patch, null);
        return result == null ? JsonNodeFactory.instance.objectNode() : result;
    }

    /** A JSON merge patch (RFC 7386): objects merge, null removes, everything else replaces. */
    static JsonNode mergePatch(JsonNode original, JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject)) {
            return patch;
        }
        ObjectNode base = original instanceof ObjectNode o ? o.deepCopy() : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : patchObject.properties()) {
            if (e.getValue().isNull()) {
                base.remove(e.getKey());
            } else {
                base.set(e.getKey(), mergePatch(base.get(e.getKey()), e.getValue()));
            }
        }
        return base;
    }

    private static JsonNode merge(JsonNode original, JsonNode patch, String field) {
        if (!(patch instanceof ObjectNode patchObject)) {
            return patch;
        }
        String directive = patchObject.path("$patch").asText("merge");
        if (directive.equals("delete")) {
            return null;
        }
        ObjectNode base = directive.equals("replace") || !(original instanceof ObjectNode o) ? JsonNodeFactory.instance.objectNode() : o;
        List<String> retain = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = patchObject.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals("$patch") || key.startsWith("$setElementOrder/")) {
                continue;
            }
            if (key.equals("$retainKeys")) {
                retain = new ArrayList<>();
                for (JsonNode k : value) {
                    retain.add(k.asText());
                }
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String list = key.substring("$deleteFromPrimitiveList/".length());
                Set<String> gone = new HashSet<>();
                value.forEach(v -> gone.add(v.asText()));
                if (base.get(list) instanceof ArrayNode array) {
                    ArrayNode kept = base.putArray(list);
                    array.forEach(v -> {
                        if (!gone.contains(v.asText())) {
                            kept.add(v);
                        }
                    });
                }
                continue;
            }
            if (value.isNull()) {
                base.remove(key);
            } else if (value.isArray()) {
                base.set(key, mergeList(base.get(key), (ArrayNode) value, key));
            } else if (value.isObject()) {
                JsonNode merged = merge(base.get(key), value, key);
                if (merged == null) {
                    base.remove(key);
                } else {
                    base.set(key, merged);
                }
            } else {
                base.set(key, value);
            }
        }
        if (retain != null) {
            base.retain(retain);
        }
        return base;
    }

    private static JsonNode mergeList(JsonNode original, ArrayNode patch, String field) {
        String key = MERGE_KEYS.get(field);
        if (field.equals("ports")) {
            key = patch.size() > 0 && patch.get(0).has("containerPort") ? "containerPort" : "port";
        }
        if (!(original instanceof ArrayNode base)) {
            return strip(patch);
        }
        if (MERGED_PRIMITIVES.contains(field)) {
            ArrayNode out = base.deepCopy();
            Set<String> seen = new HashSet<>();
            base.forEach(v -> seen.add(v.asText()));
            patch.forEach(v -> {
                if (seen.add(v.asText())) {
                    out.add(v);
                }
            });
            return out;
        }
        if (key == null) {
            return strip(patch);
        }
        for (JsonNode p : patch) {
            if (p.isObject() && "replace".equals(p.path("$patch").asText())) {
                return strip(JsonNodeFactory.instance.arrayNode().addAll(listWithout(patch, p)));
            }
        }
        ArrayNode out = base.deepCopy();
        for (JsonNode p : patch) {
            JsonNode id = p.get(key);
            int at = -1;
            for (int i = 0; id != null && i < out.size(); i++) {
                if (id.equals(out.get(i).get(key))) {
                    at = i;
                    break;
                }
            }
            if ("delete".equals(p.path("$patch").asText())) {
                if (at >= 0) {
                    out.remove(at);
                }
            } else if (at >= 0) {
                out.set(at, merge(out.get(at), p, field));
            } else {
                out.add(merge(null, p, field));
            }
        }
        return out;
    }

    private static List<JsonNode> listWithout(ArrayNode list, JsonNode skip) {
        List<JsonNode> out = new ArrayList<>();
        list.forEach(n -> {
            if (n != skip) {
                out.add(n);
            }
        });
        return out;
    }

    /** A patch list as stored: its elements without directives. */
    private static ArrayNode strip(ArrayNode list) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode n : list) {
            out.add(n.isObject() ? merge(null, n, null) : n);
        }
        return out;
    }
}
