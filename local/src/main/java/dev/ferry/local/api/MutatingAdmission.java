package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mutating admission webhook as kube-apiserver calls it, for local mode: creates of the
 * resource it is registered for are wrapped in an AdmissionReview (local mode's one user), the
 * webhook's answer refuses them (403 with its message) or patches them (JSON patch) before they
 * are stored.
 */
public final class MutatingAdmission {
    /** The webhook: an AdmissionReview (JSON) in, one out. */
    @FunctionalInterface
    public interface Webhook {
        String review(byte[] admissionReview) throws IOException;
    }

    static final String USER = "local-user";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Pattern path;
    private final String group;
    private final String version;
    private final String resource;
    private final String kind;
    private final Webhook webhook;

    /** For creates of {@code group/version} {@code resource} (namespaced). */
    MutatingAdmission(String group, String version, String resource, String kind, Webhook webhook) {
        this.path = Pattern.compile("^/apis/" + Pattern.quote(group) + "/" + Pattern.quote(version) + "/namespaces/([^/]+)/"
                + Pattern.quote(resource) + "/?(\\?.*)?$");
        this.group = group;
        this.version = version;
        this.resource = resource;
        this.kind = kind;
        this.webhook = webhook;
    }

    /** The result: the request to store (maybe patched), or a refusal to send back. */
    record Outcome(RecordedRequest request, MockResponse refusal) {
    }

    Outcome admit(RecordedRequest request) {
        Matcher m = path.matcher(request.getPath());
        if (!"POST".equals(request.getMethod()) || !m.matches() || request.getBody() == null) {
            return new Outcome(request, null);
        }
        try {
            JsonNode object = JSON.readTree(request.getBody().getBytes());
            ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
            ObjectNode req = review.putObject("request").put("uid", UUID.randomUUID().toString()).put("namespace", m.group(1))
                    .put("operation", "CREATE");
            req.putObject("kind").put("group", group).put("version", version).put("kind", kind);
            req.putObject("resource").put("group", group).put("version", version).put("resource", resource);
            ObjectNode user = req.putObject("userInfo").put("username", USER);
            user.putArray("groups").add("system:authenticated");
            req.set("object", object);
            JsonNode response = JSON.readTree(webhook.review(JSON.writeValueAsBytes(review))).path("response");
            if (!response.path("allowed").asBoolean(false)) {
                String message = response.path("status").path("message").asText("refused by the admission webhook");
                return new Outcome(null, new MockResponse().setResponseCode(403).addHeader("Content-Type", "application/json")
                        .setBody(JSON.writeValueAsString(JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
                                .put("status", "Failure").put("code", 403).put("reason", "Forbidden")
                                .put("message", "admission webhook \"datavolume-mutate.cdi.kubevirt.io\" denied the request: " + message))));
            }
            if (!response.hasNonNull("patch")) {
                return new Outcome(request, null);
            }
            JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
            JsonNode patched = JsonPatch.apply(patch, object);
            return new Outcome(new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                    new Buffer(JSON.writeValueAsBytes(patched))), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(null, new MockResponse().setResponseCode(500).addHeader("Content-Type", "application/json")
                    .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500,\"reason\":\"InternalError\","
                            + "\"message\":" + quote("the DataVolume admission webhook failed: " + e.getMessage()) + "}"));
        }
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            return "\"\"";
        }
    }
}
