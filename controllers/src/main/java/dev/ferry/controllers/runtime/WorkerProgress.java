package dev.ferry.controllers.runtime;

import dev.ferry.worker.ProgressMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a running worker's progress from its {@code /metrics} (the worker contract's {@link ProgressMetrics}). */
public final class WorkerProgress {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The percentage the worker at {@code host:port} reports for {@code ownerUid}, or null when it cannot be read. */
    public Double read(String host, int port, String ownerUid) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? ProgressMetrics.percent(response.body(), ownerUid) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
