package dev.ferry.local.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Local mode's Kubernetes API: fabric8's CRUD mock server on loopback (plain HTTP), with Ferry's
 * CRDs registered and local mode's admission in front of it, behind {@link ApiFront} — which
 * serves what clients need beyond the mock (discovery, OpenAPI, tables, HTTP watches, logs) — and
 * a kubeconfig naming the front. In-process components use {@link #client()}, connected to the
 * mock directly.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Pattern TOKENS = Pattern.compile(
            "^/apis/upload\\.cdi\\.kubevirt\\.io/v1beta1/namespaces/([^/]+)/uploadtokenrequests/?(\\?.*)?$");

    /** An API group served in-process, as an aggregated API server would serve it. */
    @FunctionalInterface
    public interface Aggregated {
        Answer answer(String namespace, String body);

        record Answer(int status, String json) {
        }
    }

    /** The mock logs every request at INFO: local mode's output would be nothing else. */
    private static final java.util.logging.Logger MOCK_REQUESTS = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

    static {
        MOCK_REQUESTS.setLevel(java.util.logging.Level.WARNING);
    }

    static final List<String> CRDS = List.of("datavolumes.cdi.kubevirt.io-v1.yml", "datasources.cdi.kubevirt.io-v1.yml",
            "dataimportcrons.cdi.kubevirt.io-v1.yml",
            "volumesnapshots.snapshot.storage.k8s.io-v1.yml", "volumesnapshotcontents.snapshot.storage.k8s.io-v1.yml",
            "volumesnapshotclasses.snapshot.storage.k8s.io-v1.yml", "virtualmachinesnapshots.snapshot.kubevirt.io-v1.yml",
            "virtualmachinesnapshotcontents.snapshot.kubevirt.io-v1.yml", "virtualmachinerestores.snapshot.kubevirt.io-v1.yml",
            "virtualmachineclones.clone.kubevirt.io-v1.yml", "virtualmachineexports.export.kubevirt.io-v1.yml",
            "virtualmachinesnapshotschedules.ferry.kubevirt.dev-v1.yml",
            "snapshotschedules.snapscheduler.backube-v1.yml",
            "storageprofiles.cdi.kubevirt.io-v1.yml", "virtualmachines.kubevirt.io-v1.yml",
            "virtualmachineinstances.kubevirt.io-v1.yml", "virtualmachineinstancemigrations.kubevirt.io-v1.yml");

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(LocalApiServer.class.getName());

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final ApiFront front;
    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of());
    private volatile MutatingAdmission dataVolumeAdmission;
    private volatile ValidatingAdmission snapshotAdmission;

    /**
     * {@code aggregated} answers requests under {@code /apis/upload.cdi.kubevirt.io/} (the API group
     * the aggregation layer would route to Ferry's controller): (namespace, body) → JSON or an exception.
     */
    public LocalApiServer(int port, Aggregated aggregated) throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    return route(request);
                } catch (RuntimeException e) {
                    // the mock's handlers throw on requests kube-apiserver would refuse; answer, never leave the client waiting
                    return status(400, "BadRequest", request.getMethod() + " " + request.getPath() + ": " + e);
                }
            }

            private MockResponse route(RecordedRequest received) {
                RecordedRequest request = asStoredVersion(received);
                Matcher m = TOKENS.matcher(request.getPath());
                if (m.matches() && "POST".equals(request.getMethod())) {
                    Aggregated.Answer answer = aggregated.answer(m.group(1), request.getBody().readUtf8());
                    return new MockResponse().setResponseCode(answer.status()).setBody(answer.json())
                            .addHeader("Content-Type", "application/json");
                }
                if ("POST".equals(request.getMethod()) && request.getPath().startsWith(SUBJECT_ACCESS_REVIEWS)) {
                    return allowed(request);
                }
                RecordedRequest named = withDefaultStorageClass(withGeneratedName(request));
                ValidatingAdmission validating = snapshotAdmission;
                if (validating != null) {
                    MockResponse refusal = validating.admit(named);
                    if (refusal != null) {
                        return refusal;
                    }
                }
                MutatingAdmission admission = dataVolumeAdmission;
                if (admission != null) {
                    MutatingAdmission.Outcome outcome = admission.admit(named);
                    return outcome.refusal() != null ? outcome.refusal() : crud.dispatch(outcome.request());
                }
                return crud.dispatch(named);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        for (String crd : CRDS) {
            try (InputStream in = LocalApiServer.class.getResourceAsStream("/crds/" + crd)) {
                if (in == null) {
                    throw new IOException("CRD " + crd + " is not packaged (build with `make build`)");
                }
                client.apiextensions().v1().customResourceDefinitions()
                        .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }
        front = new ApiFront(port, dispatcher::dispatch, client,
                () -> client.apiextensions().v1().customResourceDefinitions().list().getItems(), java.time.Clock.systemUTC());
    }

    /** Pod logs ({@code kubectl logs}) are read from {@code dir/<namespace>/<pod>.log}. */
    public void servePodLogs(Path dir) {
        front.servePodLogs(dir);
    }

    private static final String OLD_KUBEVIRT = "kubevirt.io/v1alpha3";
    private static final String KUBEVIRT = "kubevirt.io/v1";

    /**
     * KubeVirt serves {@code kubevirt.io/v1alpha3} with the v1 schema, v1 stored and no conversion:
     * a v1alpha3 request is answered as the v1 one (its path and its body's apiVersion), so the
     * controllers, which watch v1, see what a v1alpha3 client creates.
     */
    static RecordedRequest asStoredVersion(RecordedRequest request) {
        String path = request.getPath();
        if (path == null || !path.startsWith("/apis/" + OLD_KUBEVIRT)) {
            return request;
        }
        String v1 = "/apis/" + KUBEVIRT + path.substring(("/apis/" + OLD_KUBEVIRT).length());
        io.fabric8.mockwebserver.http.Buffer body = request.getBody();
        if (body != null && body.size() > 0) {
            try {
                com.fasterxml.jackson.databind.JsonNode json = JSON.readTree(body.getBytes());
                if (json instanceof com.fasterxml.jackson.databind.node.ObjectNode object && OLD_KUBEVIRT.equals(object.path("apiVersion").asText())) {
                    object.put("apiVersion", KUBEVIRT);
                    body = new io.fabric8.mockwebserver.http.Buffer(JSON.writeValueAsBytes(object));
                }
            } catch (IOException notJson) {
                // a patch or another body: passed on as it came
            }
        }
        return new RecordedRequest(request.getHttpVersion(), request.method(), v1, request.getHeaders(), body);
    }

    /** A Kubernetes Status answer. */
    static MockResponse status(int code, String reason, String message) {
        com.fasterxml.jackson.databind.node.ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
                .put("status", "Failure").put("code", code).put("reason", reason).put("message", message);
        return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json").setBody(status.toString());
    }

    private static final String SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

    /**
     * Local mode's authorizer: one user on one machine, so every SubjectAccessReview is allowed —
     * the checks that ask (the clone webhook, a VM's DataVolume templates) run as in a cluster.
     */
    private static MockResponse allowed(RecordedRequest request) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode review = (com.fasterxml.jackson.databind.node.ObjectNode)
                    JSON.readTree(request.getBody().getBytes());
            review.putObject("status").put("allowed", true).put("reason", "local mode allows its one user everything");
            return new MockResponse().setResponseCode(201).addHeader("Content-Type", "application/json")
                    .setBody(JSON.writeValueAsString(review));
        } catch (IOException | RuntimeException e) {
            return new MockResponse().setResponseCode(400).addHeader("Content-Type", "application/json")
                    .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":400,"
                            + "\"reason\":\"BadRequest\",\"message\":\"not a SubjectAccessReview\"}");
        }
    }

    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * A create with {@code metadata.generateName} and no name gets a name as kube-apiserver
     * makes it — the prefix and five random characters (the mock server would append the uid).
     */
    static RecordedRequest withGeneratedName(RecordedRequest request) {
        if (!"POST".equals(request.getMethod()) || request.getBody() == null || request.getBody().size() == 0) {
            return request;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode body = JSON.readTree(request.getBody().getBytes());
            com.fasterxml.jackson.databind.JsonNode metadata = body == null ? null : body.get("metadata");
            if (!(metadata instanceof com.fasterxml.jackson.databind.node.ObjectNode meta) || !meta.hasNonNull("generateName")
                    || meta.hasNonNull("name")) {
                return request;
            }
            StringBuilder name = new StringBuilder(meta.get("generateName").asText());
            for (int i = 0; i < 5; i++) {
                name.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
            }
            meta.put("name", name.toString());
            return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                    new io.fabric8.mockwebserver.http.Buffer(JSON.writeValueAsBytes(body)));
        } catch (IOException | RuntimeException notJson) {
            return request;
        }
    }

    private static final Pattern CLAIMS = Pattern.compile("^/api/v1/namespaces/[^/]+/persistentvolumeclaims/?(\\?.*)?$");

    /**
     * kube-apiserver's DefaultStorageClass admission plugin: a claim created without
     * {@code spec.storageClassName} gets the default class's name (an empty name stays: no class).
     */
    RecordedRequest withDefaultStorageClass(RecordedRequest request) {
        if (!"POST".equals(request.getMethod()) || !CLAIMS.matcher(request.getPath()).matches() || request.getBody() == null
                || request.getBody().size() == 0) {
            return request;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode body = JSON.readTree(request.getBody().getBytes());
            if (!(body.path("spec") instanceof com.fasterxml.jackson.databind.node.ObjectNode spec) || spec.has("storageClassName")) {
                return request;
            }
            com.fasterxml.jackson.databind.JsonNode classes = stored("/apis/storage.k8s.io/v1/storageclasses");
            if (classes == null) {
                return request;
            }
            for (com.fasterxml.jackson.databind.JsonNode sc : classes.path("items")) {
                if ("true".equals(sc.path("metadata").path("annotations").path("storageclass.kubernetes.io/is-default-class").asText())) {
                    spec.put("storageClassName", sc.path("metadata").path("name").asText());
                    return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                            new io.fabric8.mockwebserver.http.Buffer(JSON.writeValueAsBytes(body)));
                }
            }
            return request;
        } catch (IOException | RuntimeException notJson) {
            return request;
        }
    }

    /**
     * Routes DataVolume creates through {@code webhook} (an AdmissionReview in, one out), as the
     * MutatingWebhookConfiguration routes them to the controller's in a cluster.
     */
    public void admitDataVolumes(MutatingAdmission.Webhook webhook) {
        dataVolumeAdmission = new MutatingAdmission("cdi.kubevirt.io", "v1beta1", "datavolumes", "DataVolume", webhook);
    }

    /**
     * Routes what snapshots and restores protect through {@code webhook}, as the
     * ValidatingWebhookConfiguration does in a cluster: VirtualMachine updates (spec and status),
     * and creates and updates of VirtualMachineSnapshots, VirtualMachineRestores and VirtualMachineClones.
     */
    public void admitSnapshots(MutatingAdmission.Webhook webhook) {
        snapshotAdmission = new ValidatingAdmission("snapshot-validate.kubevirt.io", List.of(
                new ValidatingAdmission.Resource("kubevirt.io", "v1", "virtualmachines", "VirtualMachine"),
                new ValidatingAdmission.Resource("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots", "VirtualMachineSnapshot"),
                new ValidatingAdmission.Resource("snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores", "VirtualMachineRestore"),
                new ValidatingAdmission.Resource("clone.kubevirt.io", "v1beta1", "virtualmachineclones", "VirtualMachineClone")),
                webhook, this::stored);
    }

    /** The object stored at {@code path}, or null. */
    private com.fasterxml.jackson.databind.JsonNode stored(String path) {
        MockResponse found = crud.dispatch(new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.GET, path,
                new io.fabric8.mockwebserver.http.Headers.Builder().build(), new io.fabric8.mockwebserver.http.Buffer()));
        if (found.code() != 200 || found.getBody() == null) {
            return null;
        }
        try {
            return JSON.readTree(found.getBody().getBytes());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Gives {@code created} back the uid it had before local mode restarted: the API server makes a
     * new one on every create, but uids name a clone's temporary objects and are signed into its
     * token, as they are stable in a cluster. Only for restoring state, before anything watches.
     */
    public void keepUid(HasMetadata created, String uid) throws IOException {
        String now = created.getMetadata().getUid();
        for (Map.Entry<io.fabric8.mockwebserver.crud.AttributeSet, String> entry : crud.getMap().entrySet()) {
            com.fasterxml.jackson.databind.JsonNode stored = JSON.readTree(entry.getValue());
            if (stored.path("metadata") instanceof com.fasterxml.jackson.databind.node.ObjectNode metadata
                    && now.equals(metadata.path("uid").asText())) {
                metadata.put("uid", uid);
                entry.setValue(JSON.writeValueAsString(stored));
                created.getMetadata().setUid(uid);
                return;
            }
        }
        throw new IOException("no stored object has uid " + now);
    }

    public KubernetesClient client() {
        return client;
    }

    public KubernetesMockServer server() {
        return server;
    }

    /** The front's URL, which kubeconfigs name. */
    public String url() {
        return "http://127.0.0.1:" + front.port();
    }

    /** A kubeconfig for this server, written atomically. */
    public Path writeKubeconfig(Path file) throws IOException {
        String config = "apiVersion: v1\nkind: Config\nclusters:\n- name: ferry-local\n  cluster:\n    server: " + url()
                + "\ncontexts:\n- name: ferry-local\n  context:\n    cluster: ferry-local\n    user: ferry-local\n"
                + "    namespace: default\ncurrent-context: ferry-local\nusers:\n- name: ferry-local\n  user:\n"
                + "    token: local\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".kubeconfig", ".tmp");
        Files.writeString(temp, config);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    @Override
    public void close() {
        front.close();
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock gives its HTTP server 10 s to close; a restart binds a new port, so local mode goes on, and the
            // event loops' stacks say what held a connection open (CI saw this once, at a restart with a guest frozen)
            StringBuilder stacks = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, frames) -> {
                if (thread.getName().startsWith("vert.x-")) {
                    stacks.append('\n').append(thread.getName()).append(' ').append(thread.getState());
                    for (StackTraceElement frame : frames) {
                        stacks.append("\n    at ").append(frame);
                    }
                }
            });
            LOG.log(java.util.logging.Level.WARNING, "the in-process API server did not close in time: " + e.getMessage() + stacks, e);
        }
    }
}
