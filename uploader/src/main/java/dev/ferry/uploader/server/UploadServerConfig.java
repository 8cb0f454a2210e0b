package dev.ferry.uploader.server;

import dev.ferry.disk.convert.ImportOptions;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One upload server: where it listens, the volume it writes, and how.
 *
 * @param port the port to listen on (0: any free port)
 * @param destination the disk file, block device, or (archives) directory
 * @param options content type, the volume's size (an image larger is refused), preallocation, checksum
 * @param target this volume's {@code namespace/pvc}, checked against the client's claim, or null
 * @param tls the server's TLS context, or null for plain HTTP (loopback, local mode)
 * @param resumeTimeout how long an interrupted upload waits for its client to resume
 * @param cloneClient clone mode: the one client certificate name the server accepts (its TLS context then
 *        requires client certificates), and the body is a clone stream; null for uploads
 */
public record UploadServerConfig(String host, int port, Path destination, ImportOptions options, String target,
        SslContext tls, Duration resumeTimeout, String cloneClient) {
    public static final Duration DEFAULT_RESUME_TIMEOUT = Duration.ofMinutes(10);

    public static UploadServerConfig loopback(Path destination, ImportOptions options) {
        return new UploadServerConfig("127.0.0.1", 0, destination, options, null, null, DEFAULT_RESUME_TIMEOUT, null);
    }

    public UploadServerConfig withTls(SslContext context) {
        return new UploadServerConfig(host, port, destination, options, target, context, resumeTimeout, cloneClient);
    }

    public UploadServerConfig withTarget(String namespaceAndName) {
        return new UploadServerConfig(host, port, destination, options, namespaceAndName, tls, resumeTimeout, cloneClient);
    }

    public UploadServerConfig withResumeTimeout(Duration timeout) {
        return new UploadServerConfig(host, port, destination, options, target, tls, timeout, cloneClient);
    }

    /** Clone mode: mutual TLS with {@code mutualTls} (client certificates required), accepting only {@code client}. */
    public UploadServerConfig forClone(SslContext mutualTls, String client) {
        return new UploadServerConfig(host, port, destination, options, target, mutualTls, resumeTimeout, client);
    }
}
