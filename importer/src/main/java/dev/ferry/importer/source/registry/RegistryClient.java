package dev.ferry.importer.source.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry HTTP API v2 as a pulling client needs it: manifests by tag or digest and blobs
 * by range, with the Basic and Bearer-token authentication flows answered on the first 401.
 */
public final class RegistryClient {
    static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final ImageReference image;
    private final Optional<Credentials> credentials;
    private volatile String authorization;

    public RegistryClient(HttpClient http, String scheme, ImageReference image, Optional<Credentials> credentials) {
        this.http = http;
        this.base = scheme + "://" + image.registry() + "/v2/" + image.repository();
        this.image = image;
        this.credentials = credentials;
    }

    /** A manifest (or index) body and its media type, as served for {@code reference}. */
    public record Manifest(String mediaType, byte[] body) {
    }

    public Manifest manifest(String reference) throws IOException {
        HttpResponse<byte[]> response = send(get(base + "/manifests/" + reference).header("Accept", ACCEPT),
                HttpResponse.BodyHandlers.ofByteArray());
        String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        return new Manifest(type, response.body());
    }

    /** Opens a blob (optionally a range of it: {@code to = -1} means to the end). */
    public HttpResponse<InputStream> blob(String digest, long from, long to) throws IOException {
        HttpRequest.Builder request = get(base + "/blobs/" + digest);
        if (from > 0 || to >= 0) {
            request.header("Range", "bytes=" + from + "-" + (to < 0 ? "" : String.valueOf(to - 1)));
        }
        return send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    private HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(60));
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        HttpResponse<T> response = exchange(request, body);
        if (response.statusCode() == 401) {
            close(response);
            authorization = authenticate(response.headers().firstValue("WWW-Authenticate").orElse(""));
            response = exchange(request, body);
        }
        int status = response.statusCode();
        if (status == 200 || status == 206) {
            return response;
        }
        close(response);
        String where = "registry answered HTTP " + status + " for " + image + " (" + request.build().uri().getPath() + ")";
        throw switch (status) {
            case 401, 403 -> new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED,
                    where + ": check the registry credentials (secretRef / --secret-dir)");
            case 404 -> new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, where + ": no such image or layer");
            default -> status >= 500 || status == 429 ? new IOException(where)
                    : new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, where);
        };
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        HttpRequest.Builder copy = request.copy();
        if (authorization != null) {
            copy.setHeader("Authorization", authorization);
        }
        try {
            return http.send(copy.build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while talking to " + image.registry());
        }
    }

    /** Answers a 401 challenge: Basic with the credentials, or a Bearer token from the realm. */
    private String authenticate(String challenge) throws IOException {
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return credentials.map(Credentials::basicAuthorization).orElseThrow(() -> new DiskException(
                    DiskException.Reason.SOURCE_UNAUTHORIZED, image.registry() + " requires credentials (--secret-dir)"));
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            throw new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED, image.registry()
                    + " asked for unsupported authentication: " + challenge);
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.remove("realm");
        if (realm == null) {
            throw new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED, "Bearer challenge without a realm: " + challenge);
        }
        params.putIfAbsent("scope", "repository:" + image.repository() + ":pull");
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        params.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        HttpRequest.Builder request = get(url.substring(0, url.length() - 1));
        credentials.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching a registry token");
        }
        if (response.statusCode() != 200) {
            throw new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED, "token service " + realm + " answered HTTP "
                    + response.statusCode() + " for " + image + ": check the registry credentials");
        }
        JsonNode token = JSON.readTree(response.body());
        String value = token.hasNonNull("token") ? token.get("token").asText() : token.path("access_token").asText("");
        if (value.isEmpty()) {
            throw new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED, "token service " + realm + " returned no token");
        }
        return "Bearer " + value;
    }

    private static void close(HttpResponse<?> response) throws IOException {
        if (response.body() instanceof InputStream in) {
            in.close();
        }
    }

    public String describe() {
        return image.toString();
    }
}
