package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP front of local mode's API server — what kubectl, the official clients and the ferry CLI
 * talk to. It answers what fabric8's CRUD mock lacks and passes the rest to it in-process:
 * discovery, OpenAPI v3 (and v2 as JSON), server-side Table printing, HTTP streaming watches
 * (the mock only watches over WebSockets), Pod logs from local mode's log files (with
 * {@code follow}), strategic merge patch for the core kinds, label and field selectors the mock
 * ignores, server-side field validation, and namespace deletion that removes what is in the
 * namespace first, as kube-apiserver's namespace controller does.
 */
public final class ApiFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiFront.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Function<RecordedRequest, MockResponse> backend;
    private final KubernetesClient client;
    private final Supplier<List<io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition>> crds;
    private final Clock clock;
    private final Set<String> terminating = ConcurrentHashMap.newKeySet();
    private volatile ApiResources resources;
    private volatile Discovery discovery;
    private volatile OpenApi openApi;
    private volatile Path podLogs;
    private volatile boolean closed;

    /**
     * Listens on loopback {@code port} (0: any). {@code backend} stores and serves objects (the
     * mock, with local mode's admission in front of it); {@code client} watches it; {@code crds}
     * lists the registered CRDs whenever they change.
     */
    public ApiFront(int port, Function<RecordedRequest, MockResponse> backend, KubernetesClient client,
            Supplier<List<io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition>> crds, Clock clock) throws IOException {
        this.backend = backend;
        this.client = client;
        this.crds = crds;
        this.clock = clock;
        refresh();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Pod logs are read from {@code dir/<namespace>/<pod>.log}. */
    public void servePodLogs(Path dir) {
        podLogs = dir;
    }

    private void refresh() {
        resources = ApiResources.of(crds.get());
        discovery = new Discovery(resources);
        openApi = null;
    }

    private OpenApi openApi() {
        OpenApi doc = openApi;
        if (doc == null) {
            doc = new OpenApi(resources);
            openApi = doc;
        }
        return doc;
    }

    /** One request as it came. */
    record Call(String method, String path, Map<String, String> query, String rawQuery, Headers headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }

        String param(String name) {
            return query.get(name);
        }

        String pathAndQuery() {
            return rawQuery == null || rawQuery.isEmpty() ? path : path + "?" + rawQuery;
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            Call call = read(exchange);
            try {
                respond(exchange, call);
            } catch (ApiError e) {
                send(exchange, LocalApiServer.status(e.code, e.reason, e.getMessage()));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "local API: " + call.method + " " + call.pathAndQuery(), e);
                send(exchange, LocalApiServer.status(500, "InternalError", call.method + " " + call.path + ": " + e));
            }
        } catch (IOException clientGone) {
            LOG.fine(() -> "local API: a client went away: " + clientGone.getMessage());
        }
    }

    private static Call read(HttpExchange exchange) throws IOException {
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        Headers.Builder headers = Headers.builder();
        exchange.getRequestHeaders().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        return new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), query, rawQuery, headers.build(), body);
    }

    private void respond(HttpExchange exchange, Call call) throws IOException {
        String path = call.path.length() > 1 ? call.path.replaceAll("/+$", "") : call.path;
        String accept = call.header("Accept");
        if (call.method.equals("GET")) {
            ObjectNode doc = discoveryDocument(path, accept, exchange);
            if (doc != null) {
                return;
            }
            if (path.equals("/openapi/v2")) {
                if (accept != null && !accept.contains(JSON_TYPE) && !accept.contains("*/*")) {
                    throw new ApiError(406, "NotAcceptable", "/openapi/v2 is served as JSON only; use /openapi/v3");
                }
                send(exchange, 200, JSON_TYPE, openApi().v2());
                return;
            }
            if (path.equals("/openapi/v3")) {
                send(exchange, 200, JSON_TYPE, openApi().v3Index());
                return;
            }
            if (path.startsWith("/openapi/v3/")) {
                ObjectNode v3 = openApi().v3(path.substring("/openapi/v3/".length()));
                if (v3 == null) {
                    throw new ApiError(404, "NotFound", "no OpenAPI document at " + path);
                }
                send(exchange, 200, JSON_TYPE, v3);
                return;
            }
        }
        if (call.header("Upgrade") != null) {
            // Only fabric8's WebSocket watches come this way (exec, attach, port-forward are not served). The Upgrade is
            // ignored, as HTTP lets a server do: a plain 200 answer makes fabric8 watch over HTTP instead (on a 503 its
            // Vert.x client retries the WebSocket for ever).
            ObjectNode answer = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                    .put("message", "WebSocket watches are not served here; watch over HTTP");
            send(exchange, 200, JSON_TYPE, answer);
            return;
        }
        call = asJson(call);
        RecordedRequest stored = LocalApiServer.asStoredVersion(new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(call.method),
                call.pathAndQuery(), call.headers, new Buffer(call.body)));
        String storedPath = stored.getPath().contains("?") ? stored.getPath().substring(0, stored.getPath().indexOf('?')) : stored.getPath();
        Optional<ApiResources.Target> target = resources.target(storedPath);
        if (target.isPresent()) {
            ApiResources.Target t = target.get();
            if (call.method.equals("GET") && "log".equals(t.subresource()) && t.resource().plural().equals("pods")) {
                logs(exchange, call, t);
                return;
            }
            if (call.method.equals("GET") && isTrue(call.param("watch"))) {
                watch(exchange, call, t);
                return;
            }
        }
        send(exchange, resource(call, stored, storedPath, target.orElse(null)));
    }

    /** A protobuf body (kubectl's typed clients send them) as the JSON the mock stores. */
    private static Call asJson(Call call) throws IOException {
        String type = call.header("Content-Type");
        if (type == null || !type.startsWith(ProtobufBodies.MEDIA_TYPE) || call.body.length == 0) {
            return call;
        }
        ObjectNode json;
        try {
            json = ProtobufBodies.decode(call.body);
        } catch (IllegalArgumentException e) {
            throw new ApiError(415, "UnsupportedMediaType", e.getMessage());
        }
        Headers.Builder headers = Headers.builder();
        call.headers.toMultimap().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> headers.add(name, v));
            }
        });
        headers.add("Content-Type", JSON_TYPE);
        return new Call(call.method, call.path, call.query, call.rawQuery, headers.build(), JSON.writeValueAsBytes(json));
    }

    private ObjectNode discoveryDocument(String path, String accept, HttpExchange exchange) throws IOException {
        String aggregated = Discovery.aggregatedAsked(accept);
        ObjectNode doc = null;
        String type = JSON_TYPE;
        if (path.equals("/version")) {
            doc = Discovery.version();
        } else if (path.equals("/api")) {
            if (aggregated != null) {
                doc = discovery.aggregated(true, aggregated.contains("v2beta1") ? "v2beta1" : "v2");
                type = aggregated;
            } else {
                doc = discovery.coreVersions("127.0.0.1:" + port());
            }
        } else if (path.equals("/apis")) {
            if (aggregated != null) {
                doc = discovery.aggregated(false, aggregated.contains("v2beta1") ? "v2beta1" : "v2");
                type = aggregated;
            } else {
                doc = discovery.groupList();
            }
        } else if (path.matches("/apis/[^/]+")) {
            doc = discovery.group(path.substring("/apis/".length()));
            if (doc == null) {
                throw new ApiError(404, "NotFound", "the server could not find the requested resource (" + path + ")");
            }
        } else if (path.matches("/api/v1|/apis/[^/]+/[^/]+")) {
            String[] p = path.split("/");
            doc = p[1].equals("api") ? discovery.resourceList("", p[2]) : discovery.resourceList(p[2], p[3]);
            if (doc == null) {
                throw new ApiError(404, "NotFound", "the server could not find the requested resource (" + path + ")");
            }
        }
        if (doc != null) {
            send(exchange, 200, type, doc);
        }
        return doc;
    }

    /** A request on objects: passed to the backend, with what the mock lacks done around it. */
    private MockResponse resource(Call call, RecordedRequest stored, String path, ApiResources.Target t) throws IOException {
        if (t == null) {
            return backend.apply(stored);
        }
        String kind = t.resource().kind();
        if (call.method.equals("POST") && t.namespace() != null && terminating.contains(t.namespace())) {
            throw new ApiError(403, "Forbidden", t.resource().plural() + " is forbidden: unable to create new content in namespace "
                    + t.namespace() + " because it is being terminated");
        }
        if (call.method.equals("DELETE") && kind.equals("Namespace") && t.name() != null && t.subresource() == null) {
            return deleteNamespace(t.name());
        }
        String contentType = Optional.ofNullable(call.header("Content-Type")).orElse("");
        if (call.method.equals("PATCH") && contentType.startsWith("application/apply-patch")) {
            throw new ApiError(415, "UnsupportedMediaType", "server-side apply is not served by local mode; use client-side "
                    + "`kubectl apply` (without --server-side)");
        }
        List<String> warnings = List.of();
        if ((call.method.equals("POST") || call.method.equals("PUT") || call.method.equals("PATCH")) && t.resource().schema() != null
                && !contentType.startsWith("application/json-patch")) {
            warnings = FieldValidation.unknownFields(t.resource(), call.body, call.method.equals("PATCH"));
            String mode = Optional.ofNullable(call.param("fieldValidation")).orElse("Warn");
            if (mode.equals("Strict") && !warnings.isEmpty()) {
                throw new ApiError(400, "BadRequest", kind + " in version \"" + t.resource().version() + "\" cannot be handled as a "
                        + kind + ": strict decoding error: " + String.join(", ", warnings.stream().map(f -> "unknown field \"" + f + "\"").toList()));
            }
            if (mode.equals("Ignore")) {
                warnings = List.of();
            }
        }
        MockResponse response = asKubeApiServer(mutate(call, stored, path, t, contentType), call, t);
        for (String field : warnings) {
            response.addHeader("Warning", "299 - \"unknown field \\\"" + field + "\\\"\"");
        }
        return response;
    }

    private MockResponse mutate(Call call, RecordedRequest stored, String path, ApiResources.Target t, String contentType) throws IOException {
        String kind = t.resource().kind();
        if (call.method.equals("POST") && kind.equals("Namespace")) {
            stored = activeNamespace(stored);
        }
        if (call.param("dryRun") != null && !call.method.equals("GET")) {
            return dryRun(call, stored, path, contentType);
        }
        if (call.method.equals("PATCH") && contentType.startsWith("application/strategic-merge-patch")) {
            return strategicMerge(stored, path);
        }
        if (call.method.equals("GET") && t.name() == null) {
            return list(call, stored, t);
        }
        MockResponse response = backend.apply(stored);
        String table = Tables.tableAsked(call.header("Accept"));
        if (call.method.equals("GET") && response.code() == 200) {
            JsonNode object = withoutNulls(JSON.readTree(response.getBody().getBytes()));
            if (table == null || t.subresource() != null) {
                return json(200, object);
            }
            return json(200, Tables.table(t.resource(), List.of(object), table, call.param("includeObject"),
                    object.path("metadata").path("resourceVersion").asText(null), clock.instant()));
        }
        if (call.method.equals("POST") && kind.equals("CustomResourceDefinition") || call.method.equals("DELETE")
                && kind.equals("CustomResourceDefinition") || call.method.equals("PUT") && kind.equals("CustomResourceDefinition")) {
            refresh();
        }
        return response;
    }

    /**
     * {@code dryRun=All}: the answer the request would get, nothing stored — the object as created,
     * replaced, patched (merge, strategic merge or JSON patch) or deleted.
     */
    private MockResponse dryRun(Call call, RecordedRequest stored, String path, String contentType) throws IOException {
        if (call.method.equals("POST")) {
            ObjectNode object = (ObjectNode) JSON.readTree(stored.getBody().getBytes());
            String name = object.path("metadata").path("name").asText(null);
            if (name != null && backend.apply(get(path + "/" + name)).code() == 200) {
                return new MockResponse().setResponseCode(409);
            }
            if (object.path("metadata") instanceof ObjectNode metadata) {
                metadata.put("creationTimestamp", clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            }
            return json(201, object);
        }
        MockResponse current = backend.apply(get(path));
        if (current.code() != 200 || call.method.equals("DELETE")) {
            return current;
        }
        JsonNode body = JSON.readTree(stored.getBody().getBytes());
        if (call.method.equals("PUT")) {
            return json(200, body);
        }
        JsonNode object = JSON.readTree(current.getBody().getBytes());
        JsonNode patched;
        if (contentType.startsWith("application/json-patch")) {
            patched = io.fabric8.zjsonpatch.JsonPatch.apply(body, object);
        } else if (contentType.startsWith("application/strategic-merge-patch")) {
            patched = StrategicMerge.apply(object, body);
        } else {
            patched = StrategicMerge.mergePatch(object, body);
        }
        return json(200, patched);
    }

    /** A new namespace is Active, as kube-apiserver's namespace strategy makes it. */
    private static RecordedRequest activeNamespace(RecordedRequest request) throws IOException {
        JsonNode body = JSON.readTree(request.getBody().getBytes());
        if (!(body instanceof ObjectNode namespace)) {
            return request;
        }
        (namespace.get("status") instanceof ObjectNode status ? status : namespace.putObject("status")).put("phase", "Active");
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                new Buffer(JSON.writeValueAsBytes(namespace)));
    }

    private static RecordedRequest get(String path) {
        return new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer());
    }

    /**
     * The mock's refusals as kube-apiserver words them, so clients act on them: NotFound for a
     * missing object (the mock answers with no body), AlreadyExists for a create and Conflict for a
     * stale write (the mock says "Invalid" for both, which client-go does not retry).
     */
    private static MockResponse asKubeApiServer(MockResponse response, Call call, ApiResources.Target t) throws IOException {
        String resource = t.resource().plural() + (t.resource().group().isEmpty() ? "" : "." + t.resource().group());
        String name = t.name();
        if (name == null && call.body.length > 0) {
            try {
                name = JSON.readTree(call.body).path("metadata").path("name").asText(null);
            } catch (IOException notJson) {
                name = null;
            }
        }
        String quoted = resource + " \"" + name + "\"";
        if (response.code() == 404 && (response.getBody() == null || response.getBody().size() == 0)) {
            return status(404, "NotFound", quoted + " not found", t, name);
        }
        if (response.code() == 409 && call.method.equals("POST")) {
            return status(409, "AlreadyExists", quoted + " already exists", t, name);
        }
        if (response.code() == 409) {
            return status(409, "Conflict", "Operation cannot be fulfilled on " + quoted
                    + ": the object has been modified; please apply your changes to the latest version and try again", t, name);
        }
        return response;
    }

    private static MockResponse status(int code, String reason, String message, ApiResources.Target t, String name) throws IOException {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        ObjectNode details = status.putObject("details").put("group", t.resource().group()).put("kind", t.resource().plural());
        if (name != null) {
            details.put("name", name);
        }
        return json(code, status);
    }

    /** A list, filtered by the label and field selectors the mock would ignore, as a Table when asked. */
    private MockResponse list(Call call, RecordedRequest stored, ApiResources.Target t) throws IOException {
        Predicate<JsonNode> keep = filter(call);
        String path = stored.getPath().contains("?") ? stored.getPath().substring(0, stored.getPath().indexOf('?')) : stored.getPath();
        MockResponse response = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, stored.getHeaders(), new Buffer()));
        if (response.code() != 200) {
            return response;
        }
        ObjectNode list = (ObjectNode) JSON.readTree(response.getBody().getBytes());
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode item : list.path("items")) {
            if (keep.test(item)) {
                kept.add(withKind(item, t.resource()));
            }
        }
        list.set("items", kept);
        list.put("kind", t.resource().kind() + "List").put("apiVersion", t.resource().groupVersion());
        String table = Tables.tableAsked(call.header("Accept"));
        if (table != null) {
            List<JsonNode> items = new ArrayList<>();
            kept.forEach(items::add);
            return json(200, Tables.table(t.resource(), items, table, call.param("includeObject"),
                    list.path("metadata").path("resourceVersion").asText(null), clock.instant()));
        }
        return json(200, list);
    }

    /** Drops null members, as Go's omitempty does: a client reading {@code status} gets none rather than null. */
    static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue().isNull());
            o.forEach(ApiFront::withoutNulls);
        } else if (node instanceof ArrayNode a) {
            a.forEach(ApiFront::withoutNulls);
        }
        return node;
    }

    private static JsonNode withKind(JsonNode item, ApiResources.Resource r) {
        withoutNulls(item);
        if (item instanceof ObjectNode o && !o.hasNonNull("kind")) {
            o.put("kind", r.kind()).put("apiVersion", r.groupVersion());
        }
        return item;
    }

    private static Predicate<JsonNode> filter(Call call) {
        try {
            return Selectors.labels(call.param("labelSelector")).and(Selectors.fields(call.param("fieldSelector")));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "BadRequest", e.getMessage());
        }
    }

    /** Strategic merge patch: the stored object read, the patch applied, written back (409 on a concurrent change, as kube-apiserver retries). */
    private MockResponse strategicMerge(RecordedRequest stored, String path) throws IOException {
        for (int attempt = 0; ; attempt++) {
            MockResponse current = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, stored.getHeaders(), new Buffer()));
            if (current.code() != 200) {
                return current;
            }
            JsonNode patched = StrategicMerge.apply(JSON.readTree(current.getBody().getBytes()), JSON.readTree(stored.getBody().getBytes()));
            MockResponse written = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, path, Headers.builder()
                    .add("Content-Type", JSON_TYPE).build(), new Buffer(JSON.writeValueAsBytes(patched))));
            if (written.code() != 409 || attempt >= 4) {
                return written;
            }
        }
    }

    /**
     * A namespace is marked Terminating at once; what is in it is deleted (finalizers honoured) and
     * the namespace itself goes when it is empty — kube-apiserver's namespace lifecycle.
     */
    private MockResponse deleteNamespace(String name) throws IOException {
        String path = "/api/v1/namespaces/" + name;
        MockResponse current = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer()));
        if (current.code() != 200) {
            return current;
        }
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("status").put("phase", "Terminating");
        // (a deletionTimestamp stored in the mock would delete the namespace at once: it goes in the answer only)
        MockResponse marked = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, path, Headers.builder()
                .add("Content-Type", "application/merge-patch+json").build(), new Buffer(JSON.writeValueAsBytes(patch))));
        if (marked.code() / 100 != 2) {
            return marked;
        }
        if (terminating.add(name)) {
            threads.execute(() -> emptyNamespace(name));
        }
        ObjectNode namespace = (ObjectNode) JSON.readTree(marked.getBody().getBytes());
        ((ObjectNode) namespace.path("metadata")).put("deletionTimestamp",
                clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        return json(200, namespace);
    }

    private void emptyNamespace(String namespace) {
        Set<String> asked = new java.util.HashSet<>();
        Instant deadline = clock.instant().plusSeconds(600);
        try {
            while (!closed && clock.instant().isBefore(deadline)) {
                int left = 0;
                for (ApiResources.Resource r : resources.all()) {
                    if (!r.namespaced() || !r.storage() || !r.verbs().contains("list")) {
                        continue;
                    }
                    String collection = r.prefix() + "/namespaces/" + namespace + "/" + r.plural();
                    MockResponse listed = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, collection,
                            Headers.builder().build(), new Buffer()));
                    if (listed.code() != 200) {
                        continue;
                    }
                    for (JsonNode item : JSON.readTree(listed.getBody().getBytes()).path("items")) {
                        left++;
                        String uid = item.path("metadata").path("uid").asText();
                        if (asked.add(uid)) {
                            backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.DELETE, collection + "/"
                                    + item.path("metadata").path("name").asText(), Headers.builder().build(), new Buffer()));
                        }
                    }
                }
                if (left == 0) {
                    backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.DELETE, "/api/v1/namespaces/" + namespace,
                            Headers.builder().build(), new Buffer()));
                    LOG.info(() -> "namespace " + namespace + " deleted");
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            LOG.warning(() -> "namespace " + namespace + ": objects in it still have finalizers after 10 minutes; it stays Terminating");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "emptying namespace " + namespace + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            terminating.remove(namespace);
        }
    }

    /**
     * An HTTP streaming watch: one JSON event per line. With no resourceVersion (or "0") the objects
     * there are come first as ADDED, as kube-apiserver's "most recent" start; with one, objects
     * changed since it come as ADDED too, so a change between a client's list and its watch is not
     * lost (a deletion in between is: the mock keeps no history).
     */
    private void watch(HttpExchange exchange, Call call, ApiResources.Target t) throws IOException {
        Predicate<JsonNode> keep = filter(call);
        if (t.name() != null) {
            keep = keep.and(o -> t.name().equals(o.path("metadata").path("name").asText()));
        }
        String table = Tables.tableAsked(call.header("Accept"));
        ApiResources.Resource r = t.resource();
        long timeout = call.param("timeoutSeconds") == null ? 1800 : Long.parseLong(call.param("timeoutSeconds"));
        Instant end = clock.instant().plusSeconds(timeout);
        LinkedBlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup(r.group()).withVersion(r.version())
                .withPlural(r.plural()).withKind(r.kind()).withNamespaced(r.namespaced()).build();
        var resources = client.genericKubernetesResources(context);
        Watcher<GenericKubernetesResource> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                events.add(new Object[] {action.name(), JSON.valueToTree(resource)});
            }

            @Override
            public void onClose(WatcherException cause) {
                events.add(new Object[] {"CLOSE", null});
            }
        };
        try (Watch ignored = t.namespace() != null ? resources.inNamespace(t.namespace()).watch(watcher)
                : resources.inAnyNamespace().watch(watcher)) {
            exchange.getResponseHeaders().add("Content-Type", JSON_TYPE);
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.flush();
            long since = parseLong(call.param("resourceVersion"));
            while (!closed) {
                long wait = java.time.Duration.between(clock.instant(), end).toMillis();
                if (wait <= 0) {
                    return;
                }
                Object[] event = events.poll(Math.min(wait, 5000), TimeUnit.MILLISECONDS);
                if (event == null) {
                    continue;
                }
                if (event[0].equals("CLOSE")) {
                    return;
                }
                JsonNode object = (JsonNode) event[1];
                // the mock opens every watch with an ADDED for each object there is: those a client that lists first already has are dropped
                boolean known = event[0].equals("ADDED") && object.path("metadata").path("resourceVersion").asLong(0) <= since;
                if (keep.test(object) && !known) {
                    write(out, (String) event[0], object, r, table, call);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void write(OutputStream out, String type, JsonNode object, ApiResources.Resource r, String table, Call call) throws IOException {
        withoutNulls(object);
        ObjectNode event = JSON.createObjectNode().put("type", type);
        event.set("object", table == null ? object : Tables.table(r, List.of(object), table, call.param("includeObject"),
                object.path("metadata").path("resourceVersion").asText(null), clock.instant()));
        out.write(JSON.writeValueAsBytes(event));
        out.write('\n');
        out.flush();
    }

    /** A Pod's log from local mode's log file: whole, its last lines, or followed until the Pod ends or is deleted. */
    private void logs(HttpExchange exchange, Call call, ApiResources.Target t) throws IOException {
        String podPath = "/api/v1/namespaces/" + t.namespace() + "/pods/" + t.name();
        MockResponse pod = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, podPath, Headers.builder().build(), new Buffer()));
        if (pod.code() != 200) {
            send(exchange, asKubeApiServer(pod, call, t));
            return;
        }
        Path file = podLogs == null ? null : podLogs.resolve(t.namespace()).resolve(t.name() + ".log");
        long start = 0;
        if (file != null && Files.exists(file) && call.param("tailLines") != null) {
            start = tailOffset(file, Integer.parseInt(call.param("tailLines")));
        }
        long limit = call.param("limitBytes") == null ? Long.MAX_VALUE : Long.parseLong(call.param("limitBytes"));
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        long at = start;
        long sent = 0;
        boolean follow = isTrue(call.param("follow"));
        byte[] chunk = new byte[64 * 1024];
        while (!closed) {
            if (file != null && Files.exists(file)) {
                try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                    in.seek(at);
                    int n;
                    while (sent < limit && (n = in.read(chunk, 0, (int) Math.min(chunk.length, limit - sent))) > 0) {
                        out.write(chunk, 0, n);
                        at += n;
                        sent += n;
                    }
                }
                out.flush();
            }
            if (!follow || sent >= limit || podEnded(podPath)) {
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean podEnded(String podPath) throws IOException {
        MockResponse pod = backend.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, podPath, Headers.builder().build(), new Buffer()));
        if (pod.code() != 200) {
            return true;
        }
        String phase = JSON.readTree(pod.getBody().getBytes()).path("status").path("phase").asText();
        return phase.equals("Succeeded") || phase.equals("Failed");
    }

    /** Where the last {@code lines} lines of {@code file} start. */
    static long tailOffset(Path file, int lines) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long pos = in.length();
            if (pos == 0 || lines <= 0) {
                return pos;
            }
            in.seek(pos - 1);
            int seen = in.read() == '\n' ? -1 : 0;
            while (pos > 0) {
                int step = (int) Math.min(8192, pos);
                byte[] buf = new byte[step];
                in.seek(pos - step);
                in.readFully(buf);
                for (int i = step - 1; i >= 0; i--) {
                    if (buf[i] == '\n' && ++seen == lines) {
                        return pos - step + i + 1;
                    }
                }
                pos -= step;
            }
            return 0;
        }
    }

    /** Go's strconv.ParseBool, as kube-apiserver reads boolean parameters. */
    private static boolean isTrue(String value) {
        return value != null && List.of("1", "t", "T", "true", "TRUE", "True").contains(value);
    }

    private static MockResponse json(int code, JsonNode body) throws IOException {
        return new MockResponse().setResponseCode(code).addHeader("Content-Type", JSON_TYPE).setBody(JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int code, String type, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void send(HttpExchange exchange, MockResponse response) throws IOException {
        byte[] bytes = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
        response.getHeaders().toMultimap().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("transfer-encoding")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
            }
        });
        if (!exchange.getResponseHeaders().containsKey("Content-Type") && bytes.length > 0) {
            exchange.getResponseHeaders().add("Content-Type", JSON_TYPE);
        }
        exchange.sendResponseHeaders(response.code(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** A refusal answered as a Kubernetes Status. */
    static final class ApiError extends RuntimeException {
        final int code;
        final String reason;

        ApiError(int code, String reason, String message) {
            super(message);
            this.code = code;
            this.reason = reason;
        }
    }

    @Override
    public void close() {
        closed = true;
        http.stop(0);
        threads.shutdownNow();
    }
}
