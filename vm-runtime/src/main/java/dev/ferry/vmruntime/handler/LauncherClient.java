package dev.ferry.vmruntime.handler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Talks to one launcher's control endpoint (see {@code LauncherMain}): what the handler and {@code ferry console} use. */
public final class LauncherClient {
    /** The Pod annotation naming the launcher's control (metrics) port; 8443 when absent. */
    public static final String ANN_CONTROL_PORT = "ferry.kubevirt.dev/metrics-port";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    public LauncherClient(URI base) {
        this.base = base;
    }

    /** The launcher of a running Pod, or null while it has no address. */
    public static LauncherClient of(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
            return null;
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String port = annotations == null ? null : annotations.get(ANN_CONTROL_PORT);
        return new LauncherClient(URI.create("http://" + pod.getStatus().getPodIP() + ":" + (port == null ? "8443" : port)));
    }

    /**
     * What the launcher reports: state (Starting|WaitingForMigration|Running|Paused|Migrating|
     * Migrated|Stopping|Stopped), accelerator, domain, its libvirt URI, the port a migration target
     * takes memory on, its console log, and the last migration it ran (phase, downtimeMillis …).
     */
    public record Status(String state, String accelerator, String domain, String libvirtUri, Integer migrationPort,
            String console, Map<String, Object> migration) {
    }

    public Status status() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/status")).GET(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("launcher answered " + response.statusCode() + " to /status");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = Serialization.unmarshal(response.body(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> migration = (Map<String, Object>) body.get("migration");
        return new Status((String) body.get("state"), (String) body.get("accelerator"), (String) body.get("domain"),
                (String) body.get("libvirtUri"), body.get("migrationPort") instanceof Number n ? n.intValue() : null,
                (String) body.get("console"), migration);
    }

    /** POST /pause, /unpause or /migrate?abort; the launcher's refusal as the message. */
    public void post(String action) throws IOException {
        post(action, null);
    }

    /** POST with a JSON body (/migrate); the launcher's refusal as the message. */
    public void post(String action, Object body) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/" + action))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Serialization.asJson(body))),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(action + " refused: " + response.body().strip());
        }
    }

    /** The serial console from {@code from}: the bytes and the next offset. */
    public record ConsoleChunk(byte[] bytes, long next, String state) {
    }

    public ConsoleChunk console(long from) throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/console?from=" + from)).GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        long next = response.headers().firstValueAsLong("X-Ferry-Console-Offset").orElse(from);
        return new ConsoleChunk(response.body(), next, response.headers().firstValue("X-Ferry-Launcher-State").orElse("Unknown"));
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
