package dev.ferry.uploader.client;

import dev.ferry.uploader.server.UploadHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer to a PUT the client wrote by hand ({@code sendfile} over plain HTTP): status, headers,
 * and as much of the body as a message needs. Bounded: a head over 16 KiB or a body over 4 KiB is
 * not read further.
 */
record PlainResponse(int status, Map<String, String> headers, String body) {
    private static final int MAX_HEAD = 16 << 10;
    private static final int MAX_BODY = 4 << 10;

    static PlainResponse read(SocketChannel socket) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_HEAD + MAX_BODY);
        int headEnd;
        while ((headEnd = headEnd(buffer)) < 0) {
            if (!buffer.hasRemaining() || buffer.position() >= MAX_HEAD) {
                throw new IOException("the upload server's answer has no end of headers within " + MAX_HEAD + " bytes");
            }
            if (socket.read(buffer) < 0) {
                throw new IOException("the upload server closed the connection without answering");
            }
        }
        String[] lines = new String(buffer.array(), 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + lines[0]);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + lines[0], e);
        }
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int bodyStart = headEnd + 4;
        long declared = contentLength(headers);
        int wanted = (int) Math.min(MAX_BODY, declared < 0 ? MAX_BODY : declared);
        while (buffer.position() - bodyStart < wanted && buffer.hasRemaining() && socket.read(buffer) >= 0) {
            // read what the message needs, or to the end of the connection
        }
        int bodyLength = Math.max(0, Math.min(wanted, buffer.position() - bodyStart));
        return new PlainResponse(status, headers, new String(buffer.array(), bodyStart, bodyLength, StandardCharsets.UTF_8).trim());
    }

    /** The answer, or null when there is none to read (the connection broke before the server said anything). */
    static PlainResponse readOrNull(SocketChannel socket) {
        try {
            return read(socket);
        } catch (IOException e) {
            return null;
        }
    }

    UploadException failure() {
        String message = body.isEmpty() && headers.containsKey(UploadHeaders.ERROR.toLowerCase(Locale.ROOT))
                ? headers.get(UploadHeaders.ERROR.toLowerCase(Locale.ROOT)) : body;
        return new UploadException(status, "HTTP " + status + (message.isEmpty() ? "" : ": " + message));
    }

    private static long contentLength(Map<String, String> headers) {
        try {
            return headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int headEnd(ByteBuffer buffer) {
        byte[] bytes = buffer.array();
        for (int i = 0; i + 3 < buffer.position(); i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
