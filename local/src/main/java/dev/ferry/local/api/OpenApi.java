package dev.ferry.local.api;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAPI documents for local mode: v2 ({@code /openapi/v2}) and v3 ({@code /openapi/v3} and one
 * document per group/version), built from the CRD schemas Ferry generates — with
 * {@code apiVersion}, {@code kind} and {@code metadata} added, as kube-apiserver publishes CRDs —
 * and, for the core kinds served, from fabric8's model of them (the Go types' JSON shapes).
 * Every resource's definition carries {@code x-kubernetes-group-version-kind}, which is how
 * kubectl finds it for {@code explain} and validation. Paths declare the {@code fieldValidation}
 * parameter, so kubectl leaves field validation to the server ({@link FieldValidation}).
 */
final class OpenApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper MODEL = Serialization.jsonMapper();
    private static final Map<String, String> CORE_CLASSES = Map.ofEntries(
            Map.entry("Namespace", "io.fabric8.kubernetes.api.model.Namespace"), Map.entry("Pod", "io.fabric8.kubernetes.api.model.Pod"),
            Map.entry("PersistentVolumeClaim", "io.fabric8.kubernetes.api.model.PersistentVolumeClaim"),
            Map.entry("PersistentVolume", "io.fabric8.kubernetes.api.model.PersistentVolume"),
            Map.entry("ConfigMap", "io.fabric8.kubernetes.api.model.ConfigMap"), Map.entry("Secret", "io.fabric8.kubernetes.api.model.Secret"),
            Map.entry("Service", "io.fabric8.kubernetes.api.model.Service"), Map.entry("Endpoints", "io.fabric8.kubernetes.api.model.Endpoints"),
            Map.entry("Event", "io.fabric8.kubernetes.api.model.Event"),
            Map.entry("ServiceAccount", "io.fabric8.kubernetes.api.model.ServiceAccount"), Map.entry("Node", "io.fabric8.kubernetes.api.model.Node"),
            Map.entry("StorageClass", "io.fabric8.kubernetes.api.model.storage.StorageClass"),
            Map.entry("Lease", "io.fabric8.kubernetes.api.model.coordination.v1.Lease"),
            Map.entry("CustomResourceDefinition", "io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition"),
            Map.entry("SubjectAccessReview", "io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview"));
    private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

    private final ApiResources resources;
    /** Definition name → schema (v3 form; refs as {@code #/components/schemas/NAME}). */
    private final Map<String, ObjectNode> schemas = new TreeMap<>();
    /** Resource → its definition's name. */
    private final Map<ApiResources.Resource, String> names = new LinkedHashMap<>();

    OpenApi(ApiResources resources) {
        this.resources = resources;
        schemas.put(OBJECT_META, (ObjectNode) model(MODEL.constructType(io.fabric8.kubernetes.api.model.ObjectMeta.class)));
        for (ApiResources.Resource r : resources.all()) {
            String name = definitionName(r);
            ObjectNode schema;
            if (r.schema() != null) {
                schema = r.schema().deepCopy();
                ObjectNode properties = schema.has("properties") ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
                ObjectNode withMeta = JSON.createObjectNode();
                withMeta.putObject("apiVersion").put("type", "string").put("description",
                        "APIVersion defines the versioned schema of this representation of an object.");
                withMeta.putObject("kind").put("type", "string").put("description",
                        "Kind is a string value representing the REST resource this object represents.");
                withMeta.putObject("metadata").put("$ref", ref(OBJECT_META)).put("description", "Standard object's metadata.");
                withMeta.setAll(properties);
                schema.set("properties", withMeta);
                schema.put("type", "object");
            } else if (CORE_CLASSES.containsKey(r.kind())) {
                try {
                    model(MODEL.constructType(Class.forName(CORE_CLASSES.get(r.kind()))));
                } catch (ClassNotFoundException e) {
                    continue;
                }
                name = CORE_CLASSES.get(r.kind());
                schema = schemas.get(name);
            } else {
                continue;
            }
            ArrayNode gvk = schema.putArray("x-kubernetes-group-version-kind");
            gvk.addObject().put("group", r.group()).put("kind", r.kind()).put("version", r.version());
            schemas.put(name, schema);
            names.put(r, name);
        }
    }

    /** kube-apiserver's definition name: the group reversed, the version, the kind ({@code io.kubevirt.cdi.v1beta1.DataVolume}). */
    static String definitionName(ApiResources.Resource r) {
        if (r.group().isEmpty()) {
            return "io.k8s.api.core.v1." + r.kind();
        }
        List<String> parts = new java.util.ArrayList<>(List.of(r.group().split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + r.version() + "." + r.kind();
    }

    private static String ref(String name) {
        return "#/components/schemas/" + name;
    }

    /** The v2 document: every definition, with refs and shapes Swagger 2.0 allows. */
    ObjectNode v2() {
        ObjectNode doc = JSON.createObjectNode().put("swagger", "2.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.KUBE_VERSION);
        ObjectNode paths = doc.putObject("paths");
        ObjectNode definitions = doc.putObject("definitions");
        for (Map.Entry<String, ObjectNode> e : schemas.entrySet()) {
            definitions.set(e.getKey(), toV2(e.getValue().deepCopy()));
        }
        for (Map.Entry<ApiResources.Resource, String> e : names.entrySet()) {
            ApiResources.Resource r = e.getKey();
            ObjectNode get = paths.putObject(collectionPath(r) + "/{name}").putObject("get");
            get.put("operationId", "read" + r.kind()).putObject("x-kubernetes-group-version-kind").put("group", r.group())
                    .put("version", r.version()).put("kind", r.kind());
            get.putObject("responses").putObject("200").putObject("schema").put("$ref", "#/definitions/" + e.getValue());
        }
        return doc;
    }

    private static JsonNode toV2(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("$ref")) {
                o.put("$ref", o.get("$ref").asText().replace("#/components/schemas/", "#/definitions/"));
            }
            if (o.path("x-kubernetes-int-or-string").asBoolean()) {
                o.remove("type");
            }
            o.remove(List.of("anyOf", "oneOf", "allOf", "not", "nullable"));
            for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext();) {
                toV2(it.next().getValue());
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(OpenApi::toV2);
        }
        return node;
    }

    /** {@code /openapi/v3}: the group/version documents there are. */
    ObjectNode v3Index() {
        ObjectNode doc = JSON.createObjectNode();
        ObjectNode paths = doc.putObject("paths");
        for (ApiResources.Resource r : names.keySet()) {
            String key = r.prefix().substring(1);
            paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + Integer.toHexString(key.hashCode()));
        }
        return doc;
    }

    /** {@code /openapi/v3/api/v1} or {@code /openapi/v3/apis/G/V}, or null when not served. */
    ObjectNode v3(String groupVersionPath) {
        List<ApiResources.Resource> in = names.keySet().stream().filter(r -> r.prefix().substring(1).equals(groupVersionPath)).toList();
        if (in.isEmpty()) {
            return null;
        }
        ObjectNode doc = JSON.createObjectNode().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.KUBE_VERSION);
        ObjectNode paths = doc.putObject("paths");
        ObjectNode components = doc.putObject("components").putObject("schemas");
        for (ApiResources.Resource r : in) {
            String name = names.get(r);
            ObjectNode item = paths.putObject(collectionPath(r) + "/{name}");
            for (String verb : List.of("get", "put", "patch", "delete")) {
                if (!r.verbs().contains(verb.equals("put") ? "update" : verb)) {
                    continue;
                }
                ObjectNode op = item.putObject(verb).put("operationId", verb + r.kind());
                op.putObject("x-kubernetes-group-version-kind").put("group", r.group()).put("version", r.version()).put("kind", r.kind());
                if (!verb.equals("get") && !verb.equals("delete")) {
                    op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query").put("description",
                            "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate "
                                    + "fields. Valid values are: Ignore, Warn (the default), Strict.").putObject("schema").put("type", "string");
                }
                op.putObject("responses").putObject("200").putObject("content").putObject("application/json").putObject("schema")
                        .put("$ref", ref(name));
            }
            ObjectNode post = paths.putObject(collectionPath(r)).putObject("post").put("operationId", "create" + r.kind());
            post.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query").putObject("schema")
                    .put("type", "string");
            post.putObject("x-kubernetes-group-version-kind").put("group", r.group()).put("version", r.version()).put("kind", r.kind());
            reachable(name, components);
        }
        return doc;
    }

    private void reachable(String name, ObjectNode into) {
        if (into.has(name) || !schemas.containsKey(name)) {
            return;
        }
        ObjectNode schema = schemas.get(name);
        into.set(name, schema);
        List<String> refs = new java.util.ArrayList<>();
        schema.findValues("$ref").forEach(v -> refs.add(v.asText().substring("#/components/schemas/".length())));
        refs.forEach(r -> reachable(r, into));
    }

    private static String collectionPath(ApiResources.Resource r) {
        return r.prefix() + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
    }

    /** A schema of a fabric8 model type, its classes as named definitions (which may refer to themselves). */
    private JsonNode model(JavaType type) {
        Class<?> raw = type.getRawClass();
        ObjectNode s = JSON.createObjectNode();
        if (raw == String.class || raw.isEnum() || raw == Character.class) {
            return s.put("type", "string");
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return s.put("type", "boolean");
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class || raw == Short.class) {
            return s.put("type", "integer").put("format", raw == Long.class || raw == long.class ? "int64" : "int32");
        }
        if (Number.class.isAssignableFrom(raw) || raw == double.class || raw == float.class) {
            return s.put("type", "number");
        }
        if (raw == io.fabric8.kubernetes.api.model.Quantity.class || raw == io.fabric8.kubernetes.api.model.IntOrString.class) {
            return s.put("x-kubernetes-int-or-string", true);
        }
        if (type.isCollectionLikeType() || type.isArrayType()) {
            s.put("type", "array").set("items", model(type.getContentType()));
            return s;
        }
        if (type.isMapLikeType()) {
            s.put("type", "object").set("additionalProperties", model(type.getContentType()));
            return s;
        }
        if (raw == Object.class || JsonNode.class.isAssignableFrom(raw) || !raw.getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return s.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        }
        String name = raw == io.fabric8.kubernetes.api.model.ObjectMeta.class ? OBJECT_META : raw.getName();
        if (!schemas.containsKey(name)) {
            ObjectNode def = JSON.createObjectNode().put("type", "object");
            schemas.put(name, def);
            BeanDescription bean = MODEL.getSerializationConfig().introspect(type);
            ObjectNode properties = def.putObject("properties");
            for (BeanPropertyDefinition p : bean.findProperties()) {
                if (p.getName().equals("additionalProperties") || p.getPrimaryType() == null) {
                    continue;
                }
                properties.set(p.getName(), model(p.getPrimaryType()));
            }
        }
        return s.put("$ref", ref(name));
    }
}
