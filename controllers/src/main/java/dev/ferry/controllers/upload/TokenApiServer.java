package dev.ferry.controllers.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.ferry.api.upload.v1beta1.UploadTokenRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The UploadTokenRequest API ({@code upload.cdi.kubevirt.io/v1beta1}), served over HTTPS for the
 * kube-apiserver's aggregation layer (APIService {@code v1beta1.upload.cdi.kubevirt.io}). The
 * caller is the user the aggregator names in {@code X-Remote-User}/{@code X-Remote-Group} —
 * trusted only on a connection whose client certificate the request-header CA signed — or the
 * owner of a bearer token (TokenReview), for clients that call it directly. Other JSON endpoints —
 * the admission webhooks — are added with {@link #route}.
 */
public final class TokenApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TokenApiServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CREATE = Pattern.compile(
            "^/apis/upload\\.cdi\\.kubevirt\\.io/v1beta1/namespaces/([a-z0-9.-]{1,253})/uploadtokenrequests/?$");
    private static final int MAX_BODY = 64 * 1024;
    /** An AdmissionReview carries the whole object (kube-apiserver's own request limit is 3 MiB). */
    private static final int MAX_ROUTE_BODY = 3 * 1024 * 1024;
    private static final String DISCOVERY = "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\","
            + "\"groupVersion\":\"upload.cdi.kubevirt.io/v1beta1\",\"resources\":[{\"name\":\"uploadtokenrequests\","
            + "\"singularName\":\"uploadtokenrequest\",\"namespaced\":true,\"kind\":\"UploadTokenRequest\",\"verbs\":[\"create\"]}]}";

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService threads = Executors.newFixedThreadPool(2);
    private final UploadTokenService service;
    private final UploadTokenService.Authenticator cluster;
    private final boolean trustRemoteHeaders;
    private final Map<String, Route> routes = new java.util.concurrent.ConcurrentHashMap<>();

    /** Another JSON endpoint on this server (an admission webhook): the POSTed body → the reply's body (200). */
    @FunctionalInterface
    public interface Route {
        String answer(byte[] body) throws IOException;
    }

    /**
     * @param tls the server's TLS context, or null for plain HTTP (local mode, tests)
     * @param trustRemoteHeaders whether client certificates are verified (request-header CA), so X-Remote-* can be believed
     */
    public TokenApiServer(String host, int port, SSLContext tls, boolean trustRemoteHeaders, UploadTokenService service,
            UploadTokenService.Authenticator cluster) throws IOException {
        this.service = service;
        this.cluster = cluster;
        this.trustRemoteHeaders = trustRemoteHeaders && tls != null;
        if (tls != null) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters parameters = tls.getDefaultSSLParameters();
                    parameters.setWantClientAuth(trustRemoteHeaders);
                    params.setSSLParameters(parameters);
                }
            });
            server = https;
        } else {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Serves POSTs to {@code path} with {@code route}. */
    public TokenApiServer route(String path, Route route) {
        routes.put(path, route);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/healthz") || path.equals("/readyz")) {
                send(exchange, 200, "ok");
                return;
            }
            if (path.equals("/apis/upload.cdi.kubevirt.io/v1beta1") && "GET".equals(exchange.getRequestMethod())) {
                send(exchange, 200, DISCOVERY);
                return;
            }
            Route route = routes.get(path);
            if (route != null && "POST".equals(exchange.getRequestMethod())) {
                serve(exchange, route);
                return;
            }
            Matcher create = CREATE.matcher(path);
            if (!create.matches()) {
                send(exchange, 404, status(404, "NotFound", "no such path " + path));
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, status(405, "MethodNotAllowed", "uploadtokenrequests only support create (POST)"));
                return;
            }
            create(exchange, create.group(1));
        }
    }

    private void create(HttpExchange exchange, String namespace) throws IOException {
        UploadTokenService.Identity caller = identity(exchange);
        UploadTokenRequest request;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                send(exchange, 413, status(413, "RequestEntityTooLarge", "an UploadTokenRequest is far smaller than 64 KiB"));
                return;
            }
            request = JSON.readValue(body, UploadTokenRequest.class);
        } catch (IOException e) {
            send(exchange, 400, status(400, "BadRequest", "the body is not an UploadTokenRequest: " + e.getMessage()));
            return;
        }
        try {
            UploadTokenRequest answer = service.answer(caller == null ? null : caller.user(),
                    caller == null ? List.of() : caller.groups(), namespace, request);
            LOG.info(() -> "issued an upload token for " + namespace + "/" + request.spec.pvcName + " to " + caller.user());
            send(exchange, 201, JSON.writeValueAsString(answer));
        } catch (UploadTokenService.Refusal refusal) {
            send(exchange, refusal.status(), status(refusal.status(), refusal.reason(), refusal.getMessage()));
        }
    }

    private static void serve(HttpExchange exchange, Route route) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_ROUTE_BODY + 1);
        }
        if (body.length > MAX_ROUTE_BODY) {
            send(exchange, 413, status(413, "RequestEntityTooLarge", "the request is larger than " + MAX_ROUTE_BODY + " bytes"));
            return;
        }
        try {
            send(exchange, 200, route.answer(body));
        } catch (IOException e) {
            send(exchange, 400, status(400, "BadRequest", e.getMessage()));
        }
    }

    private UploadTokenService.Identity identity(HttpExchange exchange) {
        if (trustRemoteHeaders && exchange.getRequestHeaders().getFirst("X-Remote-User") != null && verifiedClient(exchange)) {
            List<String> groups = exchange.getRequestHeaders().getOrDefault("X-Remote-Group", List.of());
            return new UploadTokenService.Identity(exchange.getRequestHeaders().getFirst("X-Remote-User"), groups);
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return cluster.authenticate(authorization.substring(7).trim());
        }
        return null;
    }

    /** The connection presented a client certificate the request-header CA signed (the aggregator). */
    private static boolean verifiedClient(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return false;
        }
        try {
            return https.getSSLSession().getPeerCertificates().length > 0;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** A Kubernetes {@code Status} object (kind Status, status Failure) as JSON. */
    public static String status(int code, String reason, String message) {
        try {
            return JSON.writeValueAsString(Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure",
                    "code", code, "reason", reason, "message", message));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
