package dev.ferry.controllers.k8s;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a worker's progress from its metrics endpoint ({@code kubevirt_cdi_import_progress_total}). */
public final class WorkerProgress {
    private static final Pattern PROGRESS = Pattern.compile(
            "^kubevirt_cdi_(?:import|upload)_progress_total\\{[^}]*ownerUID=\"([^\"]*)\"[^}]*}\\s+([0-9.eE+-]+)\\s*$",
            Pattern.MULTILINE);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The percentage the worker at {@code host:port} reports for {@code ownerUid}, or null when it cannot be read. */
    public Double read(String host, int port, String ownerUid) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? parse(response.body(), ownerUid) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static Double parse(String metrics, String ownerUid) {
        Matcher matcher = PROGRESS.matcher(metrics);
        while (matcher.find()) {
            if (ownerUid == null || ownerUid.equals(matcher.group(1))) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return null;
    }
}
