package dev.ferry.worker.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talks to one launcher's control endpoint: what the node handler, the snapshot controller and {@code ferry console} use. */
public final class LauncherClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A freeze syncs the guest's filesystems first: KubeVirt's handler allows it a minute. */
    private static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    public LauncherClient(String host, int port) {
        this.base = URI.create("http://" + host + ":" + port);
    }

    public LauncherStatus status() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(LauncherApi.STATUS)).timeout(TIMEOUT).GET(),
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

    /** Freezes the guest's filesystems through its agent, thawed after {@code unfreezeTimeout} at the latest (zero: never). */
    public void freeze(Duration unfreezeTimeout) throws IOException {
        post(LauncherApi.FREEZE, LauncherApi.JSON.writeValueAsString(new FreezeRequest(unfreezeTimeout.toSeconds())), FREEZE_TIMEOUT);
    }

    /** Thaws the guest's filesystems (nothing to do when they are not frozen). */
    public ThawResult unfreeze() throws IOException {
        return LauncherApi.JSON.readValue(post(LauncherApi.UNFREEZE, null, TIMEOUT), ThawResult.class);
    }

    /** The serial console from {@code from}: the bytes, the next offset, and the launcher's state. */
    public record ConsoleChunk(byte[] bytes, long next, String state) {
    }

    public ConsoleChunk console(long from) throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve(LauncherApi.CONSOLE + "?"
                + LauncherApi.CONSOLE_FROM + "=" + from)).timeout(TIMEOUT).GET(), HttpResponse.BodyHandlers.ofByteArray());
        long next = response.headers().firstValueAsLong(LauncherApi.HEADER_CONSOLE_OFFSET).orElse(from);
        return new ConsoleChunk(response.body(), next, response.headers().firstValue(LauncherApi.HEADER_STATE).orElse("Unknown"));
    }

    private void post(String path, String json) throws IOException {
        post(path, json, TIMEOUT);
    }

    /** POST; the launcher's refusal becomes the message; its answer's body. */
    private String post(String path, String json, Duration timeout) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .timeout(timeout).POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(path.substring(1) + " refused: " + response.body().strip());
        }
        return response.body();
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return HTTP.send(request.build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
