package dev.ferry.controllers.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.upload.k8s.ClusterAuthorization;
import dev.ferry.controllers.testing.Cluster;
import dev.ferry.controllers.upload.UploadTokenService;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UploadTokenRequest API: TokenReview says who, SubjectAccessReview says whether, the claim must be an upload target. */
@EnableKubernetesMockClient(crud = true)
class TokenApiServerTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyPair keys = generate();
    private TokenApiServer api;

    @BeforeEach
    void setUp() throws Exception {
        Cluster.installCrds(client);
        // the API server's answers: alice-token is alice; alice may create uploadtokenrequests in vms, nobody else may
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            JsonNode review = read(request.getBody().readUtf8());
            String token = review.path("spec").path("token").asText();
            return "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"status\":{\"authenticated\":"
                    + token.endsWith("-token") + ",\"user\":{\"username\":\"" + token.replace("-token", "")
                    + "\",\"groups\":[\"system:authenticated\"]}}}";
        }).always();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, request -> {
            JsonNode spec = read(request.getBody().readUtf8()).path("spec");
            boolean allowed = "alice".equals(spec.path("user").asText())
                    && "vms".equals(spec.path("resourceAttributes").path("namespace").asText())
                    && "uploadtokenrequests".equals(spec.path("resourceAttributes").path("resource").asText())
                    && "create".equals(spec.path("resourceAttributes").path("verb").asText());
            return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"status\":{\"allowed\":"
                    + allowed + "}}";
        }).always();
        DataVolume upload = Cluster.example("upload", "vms");
        upload.getMetadata().setName("disk");
        client.resource(upload).createOr(e -> e.update());
        DataVolume http = Cluster.example("http-storage", "vms");
        client.resource(http).createOr(e -> e.update());
        ClusterAuthorization cluster = new ClusterAuthorization(client);
        api = new TokenApiServer("127.0.0.1", 0, null, false,
                new UploadTokenService(cluster, cluster, new TokenIssuer(keys.getPrivate())), cluster);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void anAuthorizedUserGetsATokenForAnUploadVolume() throws Exception {
        HttpResponse<String> response = request("alice-token", "vms", "disk");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode answer = read(response.body());
        assertThat(answer.path("kind").asText()).isEqualTo("UploadTokenRequest");
        String token = answer.path("status").path("token").asText();
        assertThat(new TokenVerifier(keys.getPublic(), Clock.systemUTC()).verify(token).target()).isEqualTo("vms/disk");
    }

    @Test
    void aUserWithoutTheRightIsForbidden() throws Exception {
        HttpResponse<String> response = request("bob-token", "vms", "disk");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(read(response.body()).path("message").asText())
                .contains("user \"bob\" cannot create uploadtokenrequests.upload.cdi.kubevirt.io in the namespace \"vms\"");
        assertThat(request("alice-token", "other-namespace", "disk").statusCode()).as("rights are per namespace").isEqualTo(403);
    }

    @Test
    void aClaimThatIsNotAnUploadTargetGetsNoToken() throws Exception {
        HttpResponse<String> notUpload = request("alice-token", "vms", "fedora");
        assertThat(notUpload.statusCode()).isEqualTo(400);
        assertThat(notUpload.body()).contains("is not an upload target");
        HttpResponse<String> missing = request("alice-token", "vms", "nope");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("does not exist");
    }

    @Test
    void anAnonymousOrUnknownCallerIsUnauthorized() throws Exception {
        assertThat(request(null, "vms", "disk").statusCode()).isEqualTo(401);
        assertThat(request("garbage", "vms", "disk").statusCode()).isEqualTo(401);
    }

    @Test
    void discoveryListsTheResourceForTheAggregator() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + "/apis/upload.cdi.kubevirt.io/v1beta1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read(response.body()).path("resources").get(0).path("name").asText()).isEqualTo("uploadtokenrequests");
    }

    private HttpResponse<String> request(String bearer, String namespace, String pvc) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                + "/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/" + namespace + "/uploadtokenrequests"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"upload.cdi.kubevirt.io/v1beta1\","
                        + "\"kind\":\"UploadTokenRequest\",\"metadata\":{\"name\":\"t\",\"namespace\":\"" + namespace
                        + "\"},\"spec\":{\"pvcName\":\"" + pvc + "\"}}"));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
