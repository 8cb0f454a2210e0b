package dev.ferry.controllers.clone.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.controllers.clone.CloneTokens;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.upload.TokenApiServer;
import dev.ferry.controllers.upload.UploadTokenService;
import dev.ferry.worker.token.TokenIssuer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DataVolume webhook over HTTP, its SubjectAccessReviews answered by the (mock) API server:
 * alice may create datavolumes/source in golden-images, bob may create Pods there (enough for a
 * claim, not for a snapshot), carol may do nothing.
 */
@EnableKubernetesMockClient(crud = true)
class CloneWebhookTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the API server was asked (static: the mock's expectations outlive a test instance). */
    private static final List<JsonNode> reviews = new ArrayList<>();
    private TokenApiServer api;
    private CloneAuthority authority;

    @BeforeEach
    void setUp() throws Exception {
        Cluster.installCrds(client);
        reviews.clear();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, request -> {
            JsonNode spec = read(request.getBody().readUtf8()).path("spec");
            synchronized (reviews) {
                reviews.add(spec);
            }
            JsonNode attributes = spec.path("resourceAttributes");
            String user = spec.path("user").asText();
            String what = attributes.path("verb").asText() + " " + attributes.path("resource").asText()
                    + (attributes.hasNonNull("subresource") ? "/" + attributes.path("subresource").asText() : "");
            boolean inGolden = "golden-images".equals(attributes.path("namespace").asText());
            boolean allowed = inGolden && ("alice".equals(user) && what.equals("create datavolumes/source")
                    && "cdi.kubevirt.io".equals(attributes.path("group").asText())
                    || "bob".equals(user) && what.equals("create pods"));
            return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"status\":{\"allowed\":" + allowed + "}}";
        }).always();
        authority = new CloneAuthority(client, "ferry-system", Clock.systemUTC());
        api = new TokenApiServer("127.0.0.1", 0, null, false, new UploadTokenService((u, g, n) -> false, (n, p) -> null,
                new TokenIssuer(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate())), token -> null)
                .route(CloneWebhook.PATH, CloneWebhook.of(client, authority)::review);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void aUserWhoMayReadTheSourceGetsACloneTokenForExactlyThisClone() throws Exception {
        JsonNode response = review("alice", "pvc-clone");
        assertThat(response.path("uid").asText()).isEqualTo("review-1");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        assertThat(patch.get(0).path("op").asText()).isEqualTo("add");
        assertThat(patch.get(0).path("path").asText()).isEqualTo("/metadata/annotations");
        String token = patch.get(0).path("value").path(CloneNames.ANN_TOKEN).asText();
        CloneTokens tokens = authority.tokens();
        assertThat(tokens.problem(token, new CloneTokens.Grant("persistentvolumeclaims", "golden-images", "fedora-39", "vms",
                "cloned-datavolume", null))).isNull();
        assertThat(tokens.problem(token, new CloneTokens.Grant("persistentvolumeclaims", "golden-images", "fedora-39", "vms",
                "another-volume", null))).as("the token is for this target only").contains("grants another clone");

        JsonNode asked = reviews.get(0);
        assertThat(asked.path("groups").get(0).asText()).isEqualTo("system:authenticated");
        assertThat(asked.path("extra").path("scopes").get(0).asText()).as("the request's extra travels to the review").isEqualTo("web");
        assertThat(asked.path("resourceAttributes").path("name").asText()).isEqualTo("fedora-39");
    }

    @Test
    void createPodsIsEnoughForAClaimButNotForASnapshot() throws Exception {
        assertThat(review("bob", "pvc-clone").path("allowed").asBoolean()).isTrue();
        JsonNode snapshot = review("bob", "snapshot-clone");
        assertThat(snapshot.path("allowed").asBoolean()).isFalse();
        assertThat(reviews).extracting(r -> r.path("resourceAttributes").path("resource").asText())
                .contains("persistentvolumeclaims");
    }

    @Test
    void aUserWhoMayNotIsRefusedWithCdisMessage() throws Exception {
        JsonNode response = review("carol", "pvc-clone");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(response.path("status").path("message").asText())
                .isEqualTo("User carol has insufficient permissions in clone source namespace golden-images");
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void aCloneWithinTheNamespaceOrAnImportNeedsNothing() throws Exception {
        JsonNode same = review("carol", "pvc-clone", "golden-images");
        assertThat(same.path("allowed").asBoolean()).isTrue();
        assertThat(same.has("patch")).isFalse();
        assertThat(review("carol", "http-storage").path("allowed").asBoolean()).isTrue();
        assertThat(reviews).as("no SubjectAccessReview asked").isEmpty();
    }

    private JsonNode review(String user, String example) throws Exception {
        return review(user, example, "vms");
    }

    private JsonNode review(String user, String example, String namespace) throws Exception {
        DataVolume dv = Cluster.example(example, namespace);
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "review-1").put("namespace", namespace).put("operation", "CREATE");
        ObjectNode userInfo = request.putObject("userInfo").put("username", user);
        userInfo.putArray("groups").add("system:authenticated");
        userInfo.putObject("extra").putArray("scopes").add("web");
        request.set("object", JSON.valueToTree(dv));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + CloneWebhook.PATH)).POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(review), StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = read(response.body());
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        return answer.path("response");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
