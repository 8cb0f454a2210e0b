package dev.ferry.uploader.client;

import dev.ferry.uploader.server.Endpoint;
import dev.ferry.uploader.server.UploadHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Uploads an image file to an upload proxy (or straight to an upload server) on CDI's wire
 * contract, and resumes after a dropped connection: it asks {@code HEAD /v1beta1/upload} for
 * the committed offset and sends the rest with {@code Content-Range}. Uses the synchronous
 * endpoint, so success means the disk is written and synced.
 */
public final class UploadClient {
    private static final Logger LOG = Logger.getLogger(UploadClient.class.getName());
    private static final int BUFFER = 1 << 20;
    private static final long SENDFILE_CHUNK = 8L << 20;

    private final URI base;
    private final Supplier<String> token;
    private final String target;
    private final SSLContext tls;
    private final boolean insecure;
    private final int retries;
    private final Duration retryWait;

    /**
     * @param base the proxy URL, e.g. https://cdi-uploadproxy.example:443
     * @param token the bearer token, asked again before each attempt (tokens live 5 minutes)
     * @param target {@code namespace/pvc} the upload is meant for (checked by proxy and server), or null
     * @param tls the TLS context for https URLs, or null for the JDK default
     * @param insecure skip host name verification (virtctl's {@code --insecure}; {@code tls} then trusts anything)
     * @param retries how many dropped connections to resume from before giving up
     */
    public UploadClient(URI base, Supplier<String> token, String target, SSLContext tls, boolean insecure, int retries,
            Duration retryWait) {
        this.base = base;
        this.token = token;
        this.target = target;
        this.tls = tls;
        this.insecure = insecure;
        this.retries = retries;
        this.retryWait = retryWait;
    }

    /** Uploads {@code image}; {@code sent} hears the offset after every chunk written. */
    public void upload(Path image, LongConsumer sent) throws IOException {
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
            upload(new FileBody(file, file.size()), sent);
        }
    }

    /** An image file: over plain HTTP the kernel sends it to the socket itself ({@code sendfile}). */
    private record FileBody(FileChannel file, long length) implements Body {
        @Override
        public int read(ByteBuffer into, long position) throws IOException {
            return file.read(into, position);
        }
    }

    /** Sends {@code file}, resuming after dropped connections; {@code sent} hears the offset after every chunk written. */
    public void upload(Body file, LongConsumer sent) throws IOException {
        long length = file.length();
        long offset = 0;
        int failures = 0;
        while (true) {
            try {
                if (send(file, offset, length, sent)) {
                    return;
                }
            } catch (UploadException e) {
                throw e;
            } catch (IOException e) {
                if (++failures > retries) {
                    throw new IOException("upload failed after " + retries + " resumed connections: " + e.getMessage(), e);
                }
                LOG.info(() -> "connection lost (" + e.getMessage() + "); asking where to resume");
            }
            ResumePoint point = resumePoint(length);
            if (point.done()) {
                sent.accept(length);
                return;
            }
            offset = point.offset();
        }
    }

    /** Sends the bytes from {@code offset}; true when the server confirmed the upload, false when it wants the rest. */
    private boolean send(Body file, long offset, long length, LongConsumer sent) throws IOException {
        if (file instanceof FileBody body && "http".equalsIgnoreCase(base.getScheme())) {
            return sendFile(body.file(), offset, length, sent);
        }
        HttpURLConnection connection = open(Endpoint.UPLOAD.path(), "PUT");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", file.contentType());
        connection.setFixedLengthStreamingMode(length - offset);
        if (offset > 0) {
            connection.setRequestProperty("Content-Range", "bytes " + offset + "-" + (length - 1) + "/" + length);
        }
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        long position = offset;
        try (OutputStream out = connection.getOutputStream()) {
            while (position < length) {
                buffer.clear();
                int n = file.read(buffer, position);
                if (n < 0) {
                    throw new UploadException(0, "the image file shrank while it was being uploaded");
                }
                out.write(buffer.array(), 0, n);
                position += n;
                sent.accept(position);
            }
        }
        int status = connection.getResponseCode();
        if (status == 200) {
            return true;
        }
        if (status == 202) {
            return false;
        }
        throw failure(connection, status);
    }

    /**
     * {@link #send} for a file over plain HTTP: the request head is written by hand and the body
     * by {@link FileChannel#transferTo} (sendfile), so the image never passes through this JVM's
     * memory — HttpURLConnection's streaming mode copied every byte twice. TLS keeps {@link #send}'s
     * path (the JDK encrypts in user space).
     */
    private boolean sendFile(FileChannel file, long offset, long length, LongConsumer sent) throws IOException {
        URI uri = base.resolve(Endpoint.UPLOAD.path());
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        try (SocketChannel socket = SocketChannel.open()) {
            socket.socket().connect(new InetSocketAddress(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port),
                    30_000);
            StringBuilder head = new StringBuilder("PUT ").append(uri.getRawPath()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\n")
                    .append("Content-Type: application/octet-stream\r\n")
                    .append("Content-Length: ").append(length - offset).append("\r\n")
                    .append("Connection: close\r\n");
            if (offset > 0) {
                head.append("Content-Range: bytes ").append(offset).append('-').append(length - 1).append('/').append(length)
                        .append("\r\n");
            }
            String bearer = token.get();
            if (bearer != null) {
                head.append("Authorization: Bearer ").append(bearer).append("\r\n");
            }
            if (target != null) {
                head.append(UploadHeaders.TARGET).append(": ").append(target).append("\r\n");
            }
            ByteBuffer request = ByteBuffer.wrap(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            long position = offset;
            try {
                while (request.hasRemaining()) {
                    socket.write(request);
                }
                while (position < length) {
                    long n = file.transferTo(position, Math.min(length - position, SENDFILE_CHUNK), socket);
                    if (n <= 0) {
                        // a blocking socket takes at least a byte: only a file shorter than it was sends nothing
                        throw new UploadException(0, "the image file shrank while it was being uploaded");
                    }
                    position += n;
                    sent.accept(position);
                }
            } catch (UploadException e) {
                throw e;
            } catch (IOException e) {
                // a server that refuses the upload answers and closes before reading it all: its answer is the cause
                PlainResponse early = PlainResponse.readOrNull(socket);
                if (early == null || early.status() == 200 || early.status() == 202) {
                    throw e;
                }
                throw early.failure();
            }
            PlainResponse response = PlainResponse.read(socket);
            return switch (response.status()) {
                case 200 -> true;
                case 202 -> false;
                default -> throw response.failure();
            };
        }
    }

    /** Where to continue: waits until the server has noticed the dropped connection. */
    private ResumePoint resumePoint(long length) throws IOException {
        long deadline = System.nanoTime() + retryWait.toNanos();
        while (true) {
            HttpURLConnection connection = open(Endpoint.UPLOAD.path(), "HEAD");
            int status = connection.getResponseCode();
            if (status != 200) {
                throw failure(connection, status);
            }
            String state = connection.getHeaderField(UploadHeaders.STATE);
            long offset = Long.parseLong(connection.getHeaderField(UploadHeaders.OFFSET));
            String error = connection.getHeaderField(UploadHeaders.ERROR);
            connection.disconnect();
            switch (state == null ? "" : state) {
                case "Succeeded":
                    return new ResumePoint(length, true);
                case "Interrupted":
                    return new ResumePoint(offset, false);
                case "Idle":
                    if (error != null) {
                        throw new UploadException(400, error);
                    }
                    return new ResumePoint(0, false);
                default:
                    if (System.nanoTime() > deadline) {
                        throw new UploadException(503, "the upload server still reports state " + state
                                + " after " + retryWait.toSeconds() + " s");
                    }
                    sleep();
            }
        }
    }

    private record ResumePoint(long offset, boolean done) {
    }

    private HttpURLConnection open(String path, String method) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
            if (tls != null) {
                https.setSSLSocketFactory(tls.getSocketFactory());
            }
            if (insecure) {
                https.setHostnameVerifier((host, session) -> true);
            }
        }
        connection.setRequestMethod(method);
        connection.setConnectTimeout(30_000);
        connection.setReadTimeout(0);
        String bearer = token.get();
        if (bearer != null) {
            connection.setRequestProperty("Authorization", "Bearer " + bearer);
        }
        if (target != null) {
            connection.setRequestProperty(UploadHeaders.TARGET, target);
        }
        return connection;
    }

    private static UploadException failure(HttpURLConnection connection, int status) throws IOException {
        String message;
        try (InputStream error = connection.getErrorStream()) {
            message = error == null ? "" : new String(error.readNBytes(4096), StandardCharsets.UTF_8).trim();
        }
        if (message.isEmpty() && connection.getHeaderField(UploadHeaders.ERROR) != null) {
            message = connection.getHeaderField(UploadHeaders.ERROR);
        }
        return new UploadException(status, "HTTP " + status + (message.isEmpty() ? "" : ": " + message));
    }

    private void sleep() throws IOException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
