package dev.ferry.importer.source.http;

import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.remote.RangeSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/** An http(s) URL read with {@code Range} requests, with CDI's extra headers and basic auth. */
public final class HttpRangeSource implements RangeSource {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final URI uri;
    private final HttpConnector connector;
    private final Map<String, String> headers;

    /**
     * @param headers extra request headers (CDI's extraHeaders and an Authorization built from the secret)
     */
    public HttpRangeSource(URI uri, HttpConnector connector, Map<String, String> headers) {
        this.uri = uri;
        this.connector = connector;
        this.headers = headers;
    }

    /**
     * Asks for the first byte. A 206 tells the size and that ranges work; a 200 means the server
     * ignores ranges: its body (the whole image) is dropped unread, not downloaded to be discarded.
     */
    @Override
    public Probe probe() throws IOException {
        HttpURLConnection connection = send("bytes=0-0");
        if (connection.getResponseCode() != 206) {
            long length = connection.getContentLengthLong();
            connection.disconnect();
            return new Probe(length, false);
        }
        try (InputStream body = connection.getInputStream()) {
            body.readNBytes(1);
            Matcher m = contentRange(connection);
            return new Probe(m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3)), !m.group(3).equals("*"));
        }
    }

    @Override
    public InputStream open(long from, long to) throws IOException {
        boolean whole = from == 0 && to < 0;
        HttpURLConnection connection = send(whole ? null : "bytes=" + from + "-" + (to < 0 ? "" : to - 1));
        int status = connection.getResponseCode();
        if (whole && status == 200) {
            return body(connection);
        }
        if (status != 206) {
            connection.getInputStream().close();
            throw new IOException("expected 206 Partial Content for bytes " + from + "-, got " + status);
        }
        Matcher m = contentRange(connection);
        if (Long.parseLong(m.group(1)) != from) {
            connection.getInputStream().close();
            throw new IOException("server answered bytes " + m.group(1) + "- to a request for bytes " + from + "-");
        }
        return body(connection);
    }

    private HttpURLConnection send(String range) throws IOException {
        HttpURLConnection connection = connector.open(uri);
        headers.forEach(connection::setRequestProperty);
        if (range != null) {
            connection.setRequestProperty("Range", range);
        }
        int status;
        try {
            status = connection.getResponseCode();
        } catch (SSLHandshakeException e) {
            throw new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED, "TLS: " + describe()
                    + " presented a certificate that is not trusted (" + e.getMessage()
                    + "); add its CA with --cert-dir / certConfigMap, or use --insecure-skip-verify", e);
        }
        if (status == 200 || status == 206) {
            return connection;
        }
        InputStream error = connection.getErrorStream();
        if (error != null) {
            error.close();
        }
        throw failure(status);
    }

    /** The body; a read timeout is a stall, worth retrying from the last byte. */
    private InputStream body(HttpURLConnection connection) throws IOException {
        long length = connection.getContentLengthLong();
        return new FilterInputStream(connection.getInputStream()) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n;
                try {
                    n = super.read(b, off, len);
                } catch (SocketTimeoutException e) {
                    throw new IOException("no data from " + describe() + " for " + connector.readTimeout().toSeconds()
                            + " s (stalled)", e);
                }
                if (n > 0) {
                    read += n;
                } else if (n < 0 && length >= 0 && read < length) {
                    throw new IOException("connection closed after " + read + " of " + length + " bytes");
                }
                return n;
            }
        };
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

    private Matcher contentRange(HttpURLConnection connection) throws IOException {
        String value = connection.getHeaderField("Content-Range");
        Matcher m = CONTENT_RANGE.matcher(value == null ? "" : value);
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
}
