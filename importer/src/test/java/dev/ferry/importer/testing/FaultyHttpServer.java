package dev.ferry.importer.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP(S) file server on loopback with Range support and the faults of CDI's
 * bad-webserver: 503s, no ranges, wrong Content-Type, cut connections, stalls, a wrong
 * Content-Length, redirects and basic auth. Faults are set per test and apply to GETs of files.
 */
public final class FaultyHttpServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final Path root;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger gets = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bodyBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile int unavailableGets;
    private volatile boolean noRanges;
    private volatile boolean wrongContentType;
    private volatile long cutAfterBytes = -1;
    private volatile int cuts;
    private volatile long stallAfterBytes = -1;
    private volatile long stallMillis;
    private volatile int stalls;
    private volatile int overstatedLengths;
    private volatile String credentials;

    private FaultyHttpServer(Path root, HttpServer server) {
        this.root = root;
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static FaultyHttpServer http(Path root) throws IOException {
        return new FaultyHttpServer(root, HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    public static FaultyHttpServer https(Path root, SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new FaultyHttpServer(root, server);
    }

    public URI url(String path) {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/" + path);
    }

    /** The next {@code count} GETs answer 503. */
    public FaultyHttpServer unavailable(int count) {
        unavailableGets = count;
        return this;
    }

    /** Ignore Range headers and send no Accept-Ranges. */
    public FaultyHttpServer noRanges() {
        noRanges = true;
        return this;
    }

    public FaultyHttpServer wrongContentType() {
        wrongContentType = true;
        return this;
    }

    /** The next {@code count} responses longer than {@code bytes} close the connection after that many bytes. */
    public FaultyHttpServer cutAfter(long bytes, int count) {
        cutAfterBytes = bytes;
        cuts = count;
        return this;
    }

    /** The next {@code count} responses longer than {@code bytes} stop sending for {@code millis} after that many. */
    public FaultyHttpServer stallAfter(long bytes, long millis, int count) {
        stallAfterBytes = bytes;
        stallMillis = millis;
        stalls = count;
        return this;
    }

    /** The next {@code count} responses announce more bytes than they send, then close. */
    public FaultyHttpServer overstateLength(int count) {
        overstatedLengths = count;
        return this;
    }

    public FaultyHttpServer basicAuth(String user, String password) {
        credentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Body bytes written to clients (what actually left the server). */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    /** GET requests served (including failed ones). */
    public int gets() {
        return gets.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/redirect/")) {
                exchange.getResponseHeaders().set("Location", path.substring("/redirect".length()));
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            gets.incrementAndGet();
            if (credentials != null && !credentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"ferry\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (unavailableGets > 0) {
                unavailableGets--;
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            serve(exchange, file);
        }
    }

    private void serve(HttpExchange exchange, Path file) throws IOException {
        long size = Files.size(file);
        long from = 0;
        long to = size - 1;
        int status = 200;
        String range = exchange.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (!noRanges) {
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            if (m != null && m.matches()) {
                from = Long.parseLong(m.group(1));
                to = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
            }
        }
        exchange.getResponseHeaders().set("Content-Type", wrongContentType ? "text/html" : "application/octet-stream");
        long length = to - from + 1;
        boolean overstate = take(() -> overstatedLengths > 0 && length > 1, () -> overstatedLengths--);
        long cutAt = take(() -> cuts > 0 && length > cutAfterBytes, () -> cuts--) ? cutAfterBytes
                : overstate ? length / 2 : -1;
        long stallAt = take(() -> stalls > 0 && length > stallAfterBytes, () -> stalls--) ? stallAfterBytes : -1;
        exchange.sendResponseHeaders(status, overstate ? length + 1000 : length);
        send(exchange.getResponseBody(), file, from, length, cutAt, stallAt);
    }

    private void send(OutputStream out, Path file, long from, long length, long cutAt, long stallAt) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(from);
            byte[] buffer = new byte[64 * 1024];
            long sent = 0;
            while (sent < length) {
                int n = (int) Math.min(buffer.length, length - sent);
                if (cutAt >= 0) {
                    n = (int) Math.min(n, Math.max(1, cutAt - sent));
                }
                if (stallAt >= 0) {
                    n = (int) Math.min(n, Math.max(1, stallAt - sent));
                }
                in.readFully(buffer, 0, n);
                out.write(buffer, 0, n);
                bodyBytes.addAndGet(n);
                sent += n;
                if (cutAt >= 0 && sent >= cutAt) {
                    out.flush();
                    throw new IOException("fault injected: connection cut after " + sent + " bytes");
                }
                if (stallAt >= 0 && sent >= stallAt) {
                    out.flush();
                    sleep(stallMillis);
                    stallAt = -1;
                }
            }
        }
    }

    private synchronized boolean take(java.util.function.BooleanSupplier available, Runnable consume) {
        if (available.getAsBoolean()) {
            consume.run();
            return true;
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
