package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Server-side field validation of custom resources against their CRD's structural schema, as
 * kube-apiserver does it for {@code fieldValidation=Strict|Warn|Ignore}: the fields a schema does
 * not declare (where it neither preserves unknown fields nor allows additional properties).
 * A patch is checked as the part of an object it is; its directives and nulls are not fields.
 */
final class FieldValidation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FieldValidation() {
    }

    /** The undeclared fields of {@code body}, as dotted paths ({@code spec.source.htp}); empty when none or not JSON. */
    static List<String> unknownFields(ApiResources.Resource resource, byte[] body, boolean patch) {
        List<String> unknown = new ArrayList<>();
        JsonNode object;
        try {
            object = JSON.readTree(body);
        } catch (IOException notJson) {
            return unknown;
        }
        if (object == null || !object.isObject()) {
            return unknown;
        }
        JsonNode properties = resource.schema().path("properties");
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            if (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata") || patch && name.startsWith("$")) {
                continue;
            }
            if (!properties.has(name)) {
                if (!resource.schema().path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
                    unknown.add(name);
                }
                continue;
            }
            walk(properties.get(name), field.getValue(), name, patch, unknown);
        }
        return unknown;
    }

    private static void walk(JsonNode schema, JsonNode value, String path, boolean patch, List<String> unknown) {
        if (value == null || value.isNull()) {
            return;
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        if (value.isObject()) {
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                String name = field.getKey();
                if (patch && name.startsWith("$")) {
                    continue;
                }
                if (properties != null && properties.has(name)) {
                    walk(properties.get(name), field.getValue(), path + "." + name, patch, unknown);
                } else if (additional != null && additional.isObject()) {
                    walk(additional, field.getValue(), path + "." + name, patch, unknown);
                } else if (!preserve && (additional == null || !additional.asBoolean(false)) && properties != null) {
                    unknown.add(path + "." + name);
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode element : value) {
                walk(schema.get("items"), element, path + "[" + i++ + "]", patch, unknown);
            }
        }
    }
}
