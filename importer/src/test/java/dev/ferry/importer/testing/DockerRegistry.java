package dev.ferry.importer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.disk.testing.Tools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Debian's docker-registry (distribution 2.8) started on a free loopback port, with optional
 * htpasswd or token authentication, and a minimal client to push OCI images to it.
 */
public final class DockerRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path storage;
    private final int port;
    private final Path dir;
    private Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private String authorization;

    private DockerRegistry(Path dir, String auth) throws IOException {
        Tools.require("docker-registry");
        storage = Files.createDirectories(dir.resolve("storage"));
        port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                %s
                """.formatted(storage, port, auth));
        this.dir = dir;
        start();
    }

    /** Starts (again) on the same port and storage: a registry that was down comes back. */
    public synchronized void start() throws IOException {
        process = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile())).start();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() > 0);
    }

    /** Stops the registry: its port refuses connections until {@link #start}. */
    public synchronized void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    public static DockerRegistry open(Path dir) throws IOException {
        return new DockerRegistry(dir, "");
    }

    /** Basic authentication against an htpasswd file (bcrypt, made by the real htpasswd). */
    public static DockerRegistry withHtpasswd(Path dir, String user, String password) throws IOException {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, Tools.run("htpasswd", "-nbB", user, password).trim() + "\n");
        DockerRegistry registry = new DockerRegistry(dir, """
                auth:
                  htpasswd:
                    realm: ferry
                    path: %s
                """.formatted(file));
        registry.authorization = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return registry;
    }

    /** Token authentication: the registry trusts JWTs from {@code tokens}. */
    public static DockerRegistry withTokens(Path dir, TokenServer tokens) throws Exception {
        DockerRegistry registry = new DockerRegistry(dir, """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, tokens.certificate()));
        registry.authorization = "Bearer " + tokens.token("push", "pull");
        return registry;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    public Path storage() {
        return storage;
    }

    /** Uploads a blob (POST, then PUT with the digest) and returns its descriptor JSON. */
    public ObjectNode pushBlob(String repository, byte[] content, String mediaType) throws Exception {
        HttpResponse<Void> start = send(HttpRequest.newBuilder(url("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(start.statusCode()).as("blob upload start").isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(location.startsWith("http") ? location : "http://" + host() + location);
        String digest = sha256(content);
        String separator = upload.getQuery() == null ? "?" : "&";
        HttpResponse<Void> put = send(HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertThat(put.statusCode()).as("blob upload").isEqualTo(201);
        return descriptor(mediaType, digest, content.length);
    }

    /** Pushes an OCI image manifest with these layers; returns its descriptor (digest of the manifest). */
    public ObjectNode pushImage(String repository, String tag, List<ObjectNode> layers) throws Exception {
        ObjectNode config = pushBlob(repository, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.config.v1+json");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", config);
        ArrayNode list = manifest.putArray("layers");
        layers.forEach(list::add);
        return putManifest(repository, tag, JSON.writeValueAsBytes(manifest), "application/vnd.oci.image.manifest.v1+json");
    }

    /** Pushes an OCI index pointing at per-architecture manifests. */
    public ObjectNode pushIndex(String repository, String tag, List<ObjectNode> manifests, List<String> architectures)
            throws Exception {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode list = index.putArray("manifests");
        for (int i = 0; i < manifests.size(); i++) {
            ObjectNode entry = manifests.get(i).deepCopy();
            entry.putObject("platform").put("os", "linux").put("architecture", architectures.get(i));
            list.add(entry);
        }
        return putManifest(repository, tag, JSON.writeValueAsBytes(index), "application/vnd.oci.image.index.v1+json");
    }

    private ObjectNode putManifest(String repository, String tag, byte[] body, String mediaType) throws Exception {
        HttpResponse<Void> put = send(HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(put.statusCode()).as("manifest upload").isEqualTo(201);
        return descriptor(mediaType, sha256(body), body.length);
    }

    /** The file in the registry's storage holding a blob, for tampering tests. */
    public Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    private HttpResponse<Void> send(HttpRequest.Builder request) throws Exception {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    private URI url(String path) {
        return URI.create("http://" + host() + path);
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    public static String sha256(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
