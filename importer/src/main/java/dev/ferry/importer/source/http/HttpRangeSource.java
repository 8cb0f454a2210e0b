package dev.ferry.importer.source.http;

import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.remote.RangeSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An http(s) URL read with {@code Range} requests, with CDI's extra headers and basic auth. */
public final class HttpRangeSource implements RangeSource {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);

    private final URI uri;
    private final HttpClient client;
    private final Map<String, String> headers;

    /**
     * @param headers extra request headers (CDI's extraHeaders and an Authorization built from the secret)
     */
    public HttpRangeSource(URI uri, HttpClient client, Map<String, String> headers) {
        this.uri = uri;
        this.client = client;
        this.headers = headers;
    }

    @Override
    public Probe probe() throws IOException {
        HttpResponse<InputStream> response = send(request("bytes=0-0"));
        try (InputStream body = response.body()) {
            if (response.statusCode() == 206) {
                Matcher m = contentRange(response);
                return new Probe(m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3)), !m.group(3).equals("*"));
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            return new Probe(length, false);
        }
    }

    @Override
    public InputStream open(long from, long to) throws IOException {
        boolean whole = from == 0 && to < 0;
        HttpResponse<InputStream> response = send(request(whole ? null : "bytes=" + from + "-" + (to < 0 ? "" : to - 1)));
        if (whole && response.statusCode() == 200) {
            return response.body();
        }
        if (response.statusCode() != 206) {
            response.body().close();
            throw new IOException("expected 206 Partial Content for bytes " + from + "-, got " + response.statusCode());
        }
        Matcher m = contentRange(response);
        if (Long.parseLong(m.group(1)) != from) {
            response.body().close();
            throw new IOException("server answered bytes " + m.group(1) + "- to a request for bytes " + from + "-");
        }
        return response.body();
    }

    private HttpRequest request(String range) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET().timeout(HEADERS_TIMEOUT);
        headers.forEach(builder::header);
        if (range != null) {
            builder.header("Range", range);
        }
        return builder.build();
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + describe());
        }
        int status = response.statusCode();
        if (status == 200 || status == 206) {
            return response;
        }
        response.body().close();
        throw failure(status);
    }

    private IOException failure(int status) {
        String where = "HTTP " + status + " from " + describe();
        return switch (status) {
            case 401, 403 -> new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED,
                    where + ": the credentials (secretRef / --secret-dir) are missing or not allowed");
            case 404, 410 -> new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, where + ": the image does not exist");
            case 408, 425, 429 -> new IOException(where);
            default -> status >= 500 ? new IOException(where)
                    : new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, where + ": the server refused the request");
        };
    }

    private Matcher contentRange(HttpResponse<?> response) throws IOException {
        String value = response.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(value);
        if (!m.matches()) {
            throw new IOException("206 without a valid Content-Range ('" + value + "') from " + describe());
        }
        return m;
    }

    @Override
    public String describe() {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getRawPath();
    }

    /** Parses CDI extraHeaders entries ({@code "Name: value"}). */
    public static Map.Entry<String, String> header(String line) throws DiskException {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "header '" + line + "' must be 'Name: value'");
        }
        return Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }

    static List<String> restricted() {
        return List.of("connection", "content-length", "expect", "host", "upgrade");
    }
}
