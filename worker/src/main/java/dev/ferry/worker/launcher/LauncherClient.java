package dev.ferry.worker.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talks to one launcher's control endpoint: what the node handler and {@code ferry console} use. */
public final class LauncherClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    public LauncherClient(String host, int port) {
        this.base = URI.create("http://" + host + ":" + port);
    }

    public LauncherStatus status() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(LauncherApi.STATUS)).GET(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("launcher answered " + response.statusCode() + " to " + LauncherApi.STATUS);
        }
        return LauncherApi.JSON.readValue(response.body(), LauncherStatus.class);
    }

    public void pause() throws IOException {
        post(LauncherApi.PAUSE, null);
    }

    public void unpause() throws IOException {
        post(LauncherApi.UNPAUSE, null);
    }

    /** Starts sending the guest; the outcome shows in {@link #status()}. */
    public void migrate(MigrationRequest request) throws IOException {
        post(LauncherApi.MIGRATE, LauncherApi.JSON.writeValueAsString(request));
    }

    public void abortMigration() throws IOException {
        post(LauncherApi.MIGRATE + "?" + LauncherApi.ABORT, null);
    }

    /** The serial console from {@code from}: the bytes, the next offset, and the launcher's state. */
    public record ConsoleChunk(byte[] bytes, long next, String state) {
    }

    public ConsoleChunk console(long from) throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve(LauncherApi.CONSOLE + "?"
                + LauncherApi.CONSOLE_FROM + "=" + from)).GET(), HttpResponse.BodyHandlers.ofByteArray());
        long next = response.headers().firstValueAsLong(LauncherApi.HEADER_CONSOLE_OFFSET).orElse(from);
        return new ConsoleChunk(response.body(), next, response.headers().firstValue(LauncherApi.HEADER_STATE).orElse("Unknown"));
    }

    /** POST; the launcher's refusal becomes the message. */
    private void post(String path, String json) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(path.substring(1) + " refused: " + response.body().strip());
        }
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
