package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server-side printing ({@code Accept: application/json;as=Table;g=meta.k8s.io;v=v1}): a
 * {@code meta.k8s.io/v1 Table} with a Name column, the resource's columns (a CRD's
 * {@code additionalPrinterColumns}, a core kind's standard ones) and dates as ages, as
 * kube-apiserver renders them for kubectl.
 */
final class Tables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Tables() {
    }

    /** The Table media type {@code accept} asks for (v1 before v1beta1), or null. */
    static String tableAsked(String accept) {
        if (accept == null) {
            return null;
        }
        for (String part : accept.replace(" ", "").split(",")) {
            if (part.startsWith("application/json;") && part.contains("as=Table") && part.contains("g=meta.k8s.io")) {
                return part.contains("v=v1beta1") ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1";
            }
        }
        return null;
    }

    /** A Table of {@code objects} (a list's items or one object); {@code include} is the includeObject parameter. */
    static ObjectNode table(ApiResources.Resource resource, List<JsonNode> objects, String apiVersion, String include,
            String resourceVersion, Instant now) {
        ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", apiVersion);
        ObjectNode metadata = table.putObject("metadata");
        if (resourceVersion != null) {
            metadata.put("resourceVersion", resourceVersion);
        }
        ArrayNode definitions = table.putArray("columnDefinitions");
        definitions.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0)
                .put("description", "Name must be unique within a namespace.");
        for (ApiResources.Column c : resource.columns()) {
            definitions.addObject().put("name", c.name()).put("type", c.type().equals("date") ? "string" : c.type())
                    .put("format", "").put("description", c.description()).put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            String name = object.path("metadata").path("name").asText();
            if (resource.kind().equals("StorageClass")
                    && "true".equals(object.path("metadata").path("annotations").path("storageclass.kubernetes.io/is-default-class").asText())) {
                name += " (default)";
            }
            cells.add(name);
            for (ApiResources.Column c : resource.columns()) {
                cells.add(cell(c, object, now));
            }
            switch (include == null ? "Metadata" : include) {
                case "None" -> {
                }
                case "Object" -> row.set("object", object);
                default -> {
                    ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", object.path("metadata"));
                }
            }
        }
        return table;
    }

    private static JsonNode cell(ApiResources.Column column, JsonNode object, Instant now) {
        if (column.jsonPath().startsWith("@")) {
            return computed(column.jsonPath().substring(1), object, now);
        }
        List<JsonNode> found = JsonPaths.select(object, column.jsonPath());
        if (found.isEmpty() || found.get(0).isNull() || found.get(0).isMissingNode()) {
            return JsonNodeFactory.instance.nullNode();
        }
        JsonNode value = found.get(0);
        return switch (column.type()) {
            case "date" -> JsonNodeFactory.instance.textNode(age(value.asText(), now));
            case "integer" -> value.isNumber() ? value : JsonNodeFactory.instance.textNode(value.asText());
            case "boolean" -> value.isBoolean() ? value : JsonNodeFactory.instance.textNode(value.asText());
            default -> value.isValueNode() ? JsonNodeFactory.instance.textNode(value.asText())
                    : JsonNodeFactory.instance.textNode(found.size() == 1 ? value.toString() : found.toString());
        };
    }

    /** The columns kube-apiserver computes with code, not a JSONPath. */
    private static JsonNode computed(String name, JsonNode o, Instant now) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (name) {
            case "podReady": {
                int total = o.path("spec").path("containers").size();
                int ready = 0;
                for (JsonNode s : o.path("status").path("containerStatuses")) {
                    ready += s.path("ready").asBoolean() ? 1 : 0;
                }
                return f.textNode(ready + "/" + total);
            }
            case "podStatus": {
                String reason = o.path("status").path("phase").asText("Unknown");
                if (o.path("status").hasNonNull("reason")) {
                    reason = o.path("status").path("reason").asText();
                }
                for (JsonNode s : o.path("status").path("containerStatuses")) {
                    if (s.path("state").path("waiting").hasNonNull("reason")) {
                        reason = s.path("state").path("waiting").path("reason").asText();
                    } else if (s.path("state").path("terminated").hasNonNull("reason")) {
                        reason = s.path("state").path("terminated").path("reason").asText();
                    }
                }
                if (o.path("metadata").hasNonNull("deletionTimestamp")) {
                    reason = "Terminating";
                }
                return f.textNode(reason);
            }
            case "podRestarts": {
                int restarts = 0;
                for (JsonNode s : o.path("status").path("containerStatuses")) {
                    restarts += s.path("restartCount").asInt();
                }
                return f.textNode(Integer.toString(restarts));
            }
            case "accessModes": {
                JsonNode modes = o.path("status").path("accessModes");
                if (modes.isEmpty()) {
                    modes = o.path("spec").path("accessModes");
                }
                List<String> out = new ArrayList<>();
                for (JsonNode m : modes) {
                    out.add(switch (m.asText()) {
                        case "ReadWriteOnce" -> "RWO";
                        case "ReadOnlyMany" -> "ROX";
                        case "ReadWriteMany" -> "RWX";
                        case "ReadWriteOncePod" -> "RWOP";
                        default -> m.asText();
                    });
                }
                return f.textNode(String.join(",", out));
            }
            case "claim": {
                JsonNode ref = o.path("spec").path("claimRef");
                return ref.isMissingNode() ? f.textNode("") : f.textNode(ref.path("namespace").asText() + "/" + ref.path("name").asText());
            }
            case "dataCount":
                return f.numberNode(o.path("data").size() + o.path("binaryData").size());
            case "externalIPs": {
                List<String> ips = new ArrayList<>();
                o.path("spec").path("externalIPs").forEach(ip -> ips.add(ip.asText()));
                return f.textNode(ips.isEmpty() ? "<none>" : String.join(",", ips));
            }
            case "ports": {
                List<String> ports = new ArrayList<>();
                for (JsonNode p : o.path("spec").path("ports")) {
                    ports.add(p.path("port").asText() + (p.hasNonNull("nodePort") ? ":" + p.path("nodePort").asText() : "") + "/"
                            + p.path("protocol").asText("TCP"));
                }
                return f.textNode(ports.isEmpty() ? "<none>" : String.join(",", ports));
            }
            case "selector": {
                List<String> pairs = new ArrayList<>();
                o.path("spec").path("selector").properties().forEach(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
                return f.textNode(pairs.isEmpty() ? "<none>" : String.join(",", pairs));
            }
            case "lastSeen": {
                String at = o.path("lastTimestamp").asText(o.path("eventTime").asText(o.path("metadata").path("creationTimestamp").asText()));
                return f.textNode(age(at, now));
            }
            case "involvedObject": {
                JsonNode ref = o.path("involvedObject");
                return f.textNode(ref.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "/" + ref.path("name").asText());
            }
            case "nodeReady": {
                for (JsonNode c : o.path("status").path("conditions")) {
                    if ("Ready".equals(c.path("type").asText())) {
                        return f.textNode("True".equals(c.path("status").asText()) ? "Ready" : "NotReady");
                    }
                }
                return f.textNode("Unknown");
            }
            default:
                return f.nullNode();
        }
    }

    /** kube-apiserver's age of a timestamp ({@code duration.HumanDuration}): 45s, 3m20s, 2h, 5d3h, 2y10d. */
    static String age(String timestamp, Instant now) {
        if (timestamp == null || timestamp.isEmpty() || timestamp.equals("null")) {
            return "<unknown>";
        }
        try {
            return human(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    static String human(Duration d) {
        if (d.compareTo(Duration.ofSeconds(-1)) < 0) {
            return "<invalid>";
        }
        if (d.isNegative()) {
            return "0s";
        }
        long seconds = d.getSeconds();
        if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        long days = hours / 24;
        if (hours < 24 * 365 * 8) {
            long dy = days % 365;
            return dy == 0 ? days / 365 + "y" : days / 365 + "y" + dy + "d";
        }
        return days / 365 + "y";
    }

    /**
     * The JSONPath subset printer columns use: {@code .a.b}, {@code .a[0].b}, {@code .a[*].b} and
     * {@code .a[?(@.type=="Ready")].status} (quotes single or double, {@code ==} or {@code !=}).
     */
    static final class JsonPaths {
        private static final Pattern STEP = Pattern.compile(
                "\\.([^.\\[]+)|\\[(\\d+)]|\\[\\*]|\\[\\?\\(@\\.([\\w.-]+)\\s*(==|!=)\\s*['\"]([^'\"]*)['\"]\\)]");

        private JsonPaths() {
        }

        static List<JsonNode> select(JsonNode root, String path) {
            String p = path.trim();
            if (p.startsWith("{") && p.endsWith("}")) {
                p = p.substring(1, p.length() - 1);
            }
            if (p.startsWith("$")) {
                p = p.substring(1);
            }
            List<JsonNode> current = List.of(root);
            Matcher m = STEP.matcher(p);
            int at = 0;
            while (at < p.length()) {
                if (!m.find(at) || m.start() != at) {
                    return List.of();
                }
                List<JsonNode> next = new ArrayList<>();
                for (JsonNode node : current) {
                    if (m.group(1) != null) {
                        add(next, node.get(m.group(1)));
                    } else if (m.group(2) != null) {
                        add(next, node.isArray() ? node.get(Integer.parseInt(m.group(2))) : null);
                    } else if (m.group(3) != null) {
                        for (JsonNode element : node) {
                            List<JsonNode> key = select(element, "." + m.group(3));
                            boolean equal = !key.isEmpty() && key.get(0).asText().equals(m.group(5));
                            if (equal == m.group(4).equals("==")) {
                                next.add(element);
                            }
                        }
                    } else {
                        node.forEach(next::add);
                    }
                }
                current = next;
                at = m.end();
            }
            return current;
        }

        private static void add(List<JsonNode> to, JsonNode node) {
            if (node != null && !node.isNull()) {
                to.add(node);
            }
        }
    }
}
