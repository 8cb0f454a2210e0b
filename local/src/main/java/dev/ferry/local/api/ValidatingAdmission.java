package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validating admission webhook as kube-apiserver calls it, for local mode: creates, updates and
 * patches (of the object or its status) of the resources it is registered for are reviewed with
 * the object before and after — a patch applied here to the stored object first (JSON patch, or
 * merge patch) — and refused with the webhook's message, or passed on unchanged.
 */
public final class ValidatingAdmission {
    /** A resource the webhook reviews: {@code group/version/resource} of {@code kind}. */
    public record Resource(String group, String version, String resource, String kind) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String name;
    private final List<Resource> resources;
    private final MutatingAdmission.Webhook webhook;
    /** The stored object at a path, or null. */
    private final Function<String, JsonNode> stored;

    ValidatingAdmission(String name, List<Resource> resources, MutatingAdmission.Webhook webhook, Function<String, JsonNode> stored) {
        this.name = name;
        this.resources = resources;
        this.webhook = webhook;
        this.stored = stored;
    }

    /** The refusal to send back, or null to let the request through. */
    MockResponse admit(RecordedRequest request) {
        String method = request.getMethod();
        if (!"POST".equals(method) && !"PUT".equals(method) && !"PATCH".equals(method)) {
            return null;
        }
        String path = request.getPath().replaceFirst("\\?.*$", "");
        for (Resource resource : resources) {
            Matcher m = Pattern.compile("^/apis/" + Pattern.quote(resource.group()) + "/" + Pattern.quote(resource.version())
                    + "/namespaces/([^/]+)/" + Pattern.quote(resource.resource()) + "(?:/([^/]+)(/status)?)?/?$").matcher(path);
            if (m.matches() && (m.group(2) == null) == "POST".equals(method)) {
                try {
                    return review(request, resource, m.group(1), m.group(2), path.endsWith("/status") ? path.substring(0,
                            path.length() - "/status".length()) : path);
                } catch (IOException | RuntimeException e) {
                    return status(500, "InternalError", "the " + name + " admission webhook failed: " + e.getMessage());
                }
            }
        }
        return null;
    }

    private MockResponse review(RecordedRequest request, Resource resource, String namespace, String objectName, String objectPath)
            throws IOException {
        JsonNode old = objectName == null ? null : stored.apply(objectPath);
        if (objectName != null && old == null) {
            return null;
        }
        JsonNode body = request.getBody() == null || request.getBody().size() == 0 ? null : JSON.readTree(request.getBody().getBytes());
        JsonNode updated;
        if ("PATCH".equals(request.getMethod())) {
            String type = request.getHeader("Content-Type") == null ? "" : request.getHeader("Content-Type");
            if (type.startsWith("application/apply-patch")) {
                return null;
            }
            updated = type.startsWith("application/json-patch+json") ? JsonPatch.apply(body, old) : merge(old.deepCopy(), body);
        } else {
            updated = body;
        }
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = review.putObject("request").put("uid", UUID.randomUUID().toString()).put("namespace", namespace)
                .put("operation", objectName == null ? "CREATE" : "UPDATE");
        if (objectName != null) {
            req.put("name", objectName);
        }
        req.putObject("kind").put("group", resource.group()).put("version", resource.version()).put("kind", resource.kind());
        req.putObject("resource").put("group", resource.group()).put("version", resource.version()).put("resource", resource.resource());
        ObjectNode user = req.putObject("userInfo").put("username", MutatingAdmission.USER);
        user.putArray("groups").add("system:authenticated");
        req.set("object", updated);
        if (old != null) {
            req.set("oldObject", old);
        }
        JsonNode response = JSON.readTree(webhook.review(JSON.writeValueAsBytes(review))).path("response");
        if (response.path("allowed").asBoolean(false)) {
            return null;
        }
        return status(422, "Invalid", "admission webhook \"" + name + "\" denied the request: "
                + response.path("status").path("message").asText("refused"));
    }

    /** RFC 7386 merge patch. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    private static MockResponse status(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("code", code).put("reason", reason).put("message", message);
        return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json").setBody(status.toString());
    }
}
