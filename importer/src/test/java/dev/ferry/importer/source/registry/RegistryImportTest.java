package dev.ferry.importer.source.registry;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.source.SourceLocator;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.importer.testing.ContainerDisks;
import dev.ferry.importer.testing.DockerRegistry;
import dev.ferry.importer.testing.TokenServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * containerDisk imports from Debian's docker-registry: OCI images pushed by the test whose
 * layer holds disk/disk.qcow2, with and without authentication, a manifest list, and a
 * tampered layer that must be refused.
 */
class RegistryImportTest {
    private static final String REPO = "images/containerdisk";
    private static final String LAYER = ContainerDisks.LAYER;

    @TempDir
    Path dir;
    private final List<Duration> backoffs = new ArrayList<>();

    @Test
    void importsByTagAndByDigest() throws Exception {
        Path image = Images.scattered(dir, "disk.qcow2", "");
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("r")))) {
            ObjectNode base = registry.pushBlob(REPO, ContainerDisks.layer("etc/hostname", "ferry".getBytes()), LAYER);
            ObjectNode disk = registry.pushBlob(REPO, ContainerDisks.layer("disk/disk.qcow2", Files.readAllBytes(image)), LAYER);
            ObjectNode manifest = registry.pushImage(REPO, "v1", List.of(base, disk));

            run("docker://" + registry.host() + "/" + REPO + ":v1", insecure(null));
            assertIdentical(disk(), image);

            Files.delete(disk());
            run("docker://" + registry.host() + "/" + REPO + "@" + manifest.get("digest").asText(), insecure(null));
            assertIdentical(disk(), image);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"disk.qcow2", "compressed.qcow2", "disk.raw", "disk.raw.gz", "disk.qcow2.xz"})
    void everyDiskFormatInALayer(String name) throws Exception {
        Path image = Images.scattered(dir, "disk.qcow2", "");
        Tools.run("qemu-img", "convert", "-q", "-c", "-O", "qcow2", image.toString(), dir.resolve("compressed.qcow2").toString());
        Tools.run("qemu-img", "convert", "-q", "-O", "raw", image.toString(), dir.resolve("disk.raw").toString());
        Tools.run("gzip", "-k", dir.resolve("disk.raw").toString());
        Tools.run("xz", "-k", "-0", dir.resolve("disk.qcow2").toString());
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("r")))) {
            registry.pushImage(REPO, "v1", List.of(registry.pushBlob(REPO,
                    ContainerDisks.layer("disk/" + name, Files.readAllBytes(dir.resolve(name))), LAYER)));

            run("docker://" + registry.host() + "/" + REPO + ":v1", insecure(null));

            assertIdentical(disk(), image);
        }
    }

    @Test
    void manifestListPicksThePlatform() throws Exception {
        Path amd64 = Images.scattered(dir, "amd64.qcow2", "");
        Path arm64 = Images.scattered(dir, "arm64.qcow2", "compat=0.10");
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("r")))) {
            ObjectNode a = registry.pushImage(REPO, "amd64", List.of(registry.pushBlob(REPO,
                    ContainerDisks.layer("disk/amd64.qcow2", Files.readAllBytes(amd64)), LAYER)));
            ObjectNode b = registry.pushImage(REPO, "arm64", List.of(registry.pushBlob(REPO,
                    ContainerDisks.layer("./disk/arm64.qcow2", Files.readAllBytes(arm64)), LAYER)));
            registry.pushIndex(REPO, "multi", List.of(b, a), List.of("arm64", "amd64"));
            String url = "docker://" + registry.host() + "/" + REPO + ":multi";

            run(url, insecure(null));
            assertIdentical(disk(), ManifestResolver.hostArchitecture().equals("amd64") ? amd64 : arm64);

            Files.delete(disk());
            run(url, new SourceOptions(null, true, List.of(), null, 2, Duration.ofSeconds(10), null, "arm64"));
            assertIdentical(disk(), arm64);

            assertThatThrownBy(() -> run(url, new SourceOptions(null, true, List.of(), null, 2, Duration.ofSeconds(10),
                    null, "s390x")))
                    .hasMessageContaining("has no linux/s390x image").hasMessageContaining("linux/arm64, linux/amd64");
        }
    }

    @Test
    void basicAuthentication() throws Exception {
        Path image = Images.scattered(dir, "disk.qcow2", "");
        try (DockerRegistry registry = DockerRegistry.withHtpasswd(Files.createDirectories(dir.resolve("r")), "puller", "pw")) {
            registry.pushImage(REPO, "v1", List.of(registry.pushBlob(REPO,
                    ContainerDisks.layer("disk/disk.qcow2", Files.readAllBytes(image)), LAYER)));
            String url = "docker://" + registry.host() + "/" + REPO + ":v1";

            assertThatThrownBy(() -> run(url, insecure(null)))
                    .isInstanceOf(DiskException.class).hasMessageContaining("requires credentials");

            run(url, insecure(secret("puller", "pw")));
            assertIdentical(disk(), image);
        }
    }

    @Test
    void bearerTokenFlow() throws Exception {
        Path image = Images.scattered(dir, "disk.qcow2", "");
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        try (TokenServer server = new TokenServer(tokens, "puller", "pw");
             DockerRegistry registry = DockerRegistry.withTokens(Files.createDirectories(dir.resolve("r")), server)) {
            registry.pushImage(REPO, "v1", List.of(registry.pushBlob(REPO,
                    ContainerDisks.layer("disk/disk.qcow2", Files.readAllBytes(image)), LAYER)));
            String url = "docker://" + registry.host() + "/" + REPO + ":v1";

            assertThatThrownBy(() -> run(url, insecure(secret("puller", "wrong"))))
                    .isInstanceOf(DiskException.class).hasMessageContaining("token service")
                    .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.SOURCE_UNAUTHORIZED);

            run(url, insecure(secret("puller", "pw")));
            assertIdentical(disk(), image);
            assertThat(server.issued()).isPositive();
        }
    }

    @Test
    void tamperedLayerIsRefused() throws Exception {
        Path image = Images.scattered(dir, "disk.qcow2", "");
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("r")))) {
            ObjectNode disk = registry.pushBlob(REPO, ContainerDisks.layer("disk/disk.qcow2", Files.readAllBytes(image)), LAYER);
            registry.pushImage(REPO, "v1", List.of(disk));
            try (RandomAccessFile blob = new RandomAccessFile(registry.blobFile(disk.get("digest").asText()).toFile(), "rw")) {
                blob.seek(blob.length() - 20);
                int b = blob.read();
                blob.seek(blob.length() - 20);
                blob.write(b ^ 0xff);
            }

            assertThatThrownBy(() -> run("docker://" + registry.host() + "/" + REPO + ":v1", insecure(null)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(disk.get("digest").asText());
        }
    }

    @Test
    void missingTagAndMissingDisk() throws Exception {
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("r")))) {
            registry.pushImage(REPO, "nodisk", List.of(registry.pushBlob(REPO, ContainerDisks.layer("etc/motd", "hi".getBytes()), LAYER)));

            assertThatThrownBy(() -> run("docker://" + registry.host() + "/" + REPO + ":nope", insecure(null)))
                    .isInstanceOf(DiskException.class)
                    .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.SOURCE_NOT_FOUND);
            assertThatThrownBy(() -> run("docker://" + registry.host() + "/" + REPO + ":nodisk", insecure(null)))
                    .isInstanceOf(DiskException.class).hasMessageContaining("holds no disk");
        }
    }

    @Test
    void malformedReferenceIsRefused() throws DiskException {
        assertThatThrownBy(() -> ImageReference.parse("docker://registry/UPPER:tag"))
                .hasMessageContaining("must be docker://REGISTRY/REPOSITORY");
        assertThat(ImageReference.parse("docker://r:5000/a/b").reference()).isEqualTo("latest");
    }

    private Path secret(String user, String password) throws IOException {
        Path secret = Files.createDirectories(dir.resolve("secret-" + user + "-" + password));
        Files.writeString(secret.resolve("accessKeyId"), user);
        Files.writeString(secret.resolve("secretKey"), password);
        return secret;
    }

    private static SourceOptions insecure(Path secret) {
        return new SourceOptions(null, true, List.of(), secret, 2, Duration.ofSeconds(10), null, null);
    }

    private Path disk() {
        return dir.resolve("disk.img");
    }

    private void run(String url, SourceOptions options) throws IOException {
        try (ImageSource source = SourceLocator.open(url, options, backoffs::add)) {
            new DiskImport(source, new Destination(disk()), ImportOptions.defaults(), new TransferProgress()).run();
        }
    }
}
