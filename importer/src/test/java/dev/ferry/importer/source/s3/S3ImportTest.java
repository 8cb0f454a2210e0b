package dev.ferry.importer.source.s3;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.ferry.importer.testing.S3Server;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * S3 imports from S3Proxy on loopback. Objects are seeded and checked with the MinIO client,
 * so the AWS SDK Ferry uses is not also the tool that vouches for the data.
 */
class S3ImportTest {
    private static final String BUCKET = "images";

    @TempDir
    static Path fixtures;
    private static Path image;
    private static S3Server server;
    private static MinioClient minio;
    private static Path secret;
    @TempDir
    Path dir;
    private final List<Duration> backoffs = new ArrayList<>();

    @BeforeAll
    static void seed() throws Exception {
        server = new S3Server(Files.createDirectories(fixtures.resolve("s3")));
        minio = MinioClient.builder().endpoint(server.endpoint())
                .credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY).region("us-east-1").build();
        minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
        assertThat(minio.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())).isTrue();

        image = Images.random(fixtures, "image.qcow2", "", 12);
        Tools.qemuIo(image, "qcow2", "write -P 0x33 30M 2M");
        Path compressed = fixtures.resolve("compressed.qcow2");
        Tools.run("qemu-img", "convert", "-q", "-c", "-O", "qcow2", image.toString(), compressed.toString());
        Path raw = fixtures.resolve("image.raw");
        Tools.run("qemu-img", "convert", "-q", "-O", "raw", image.toString(), raw.toString());
        Tools.run("gzip", "-k", raw.toString());
        Tools.run("xz", "-k", "-0", "-T2", image.toString());
        for (Path file : List.of(image, compressed, raw, Path.of(raw + ".gz"), Path.of(image + ".xz"))) {
            minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object("disks/" + file.getFileName())
                    .filename(file.toString()).build());
        }
        secret = Files.createDirectories(fixtures.resolve("secret"));
        Files.writeString(secret.resolve("accessKeyId"), S3Server.ACCESS_KEY);
        Files.writeString(secret.resolve("secretKey"), S3Server.SECRET_KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"image.qcow2", "compressed.qcow2", "image.raw", "image.raw.gz", "image.qcow2.xz"})
    void importsBitIdenticalFromS3(String name) throws Exception {
        long size = minio.statObject(StatObjectArgs.builder().bucket(BUCKET).object("disks/" + name).build()).size();
        assertThat(size).isEqualTo(Files.size(fixtures.resolve(name)));

        run("s3://" + BUCKET + "/disks/" + name, options(secret));

        assertIdentical(dir.resolve("disk.img"), image);
    }

    @Test
    void wrongCredentialsFailAtOnce() throws IOException {
        Path wrong = Files.createDirectories(dir.resolve("wrong"));
        Files.writeString(wrong.resolve("accessKeyId"), S3Server.ACCESS_KEY);
        Files.writeString(wrong.resolve("secretKey"), "not-the-secret");

        assertThatThrownBy(() -> run("s3://" + BUCKET + "/disks/image.qcow2", options(wrong)))
                .isInstanceOf(DiskException.class)
                .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.SOURCE_UNAUTHORIZED);
        assertThat(backoffs).isEmpty();
    }

    @Test
    void missingObjectFailsAtOnce() {
        assertThatThrownBy(() -> run("s3://" + BUCKET + "/disks/missing.qcow2", options(secret)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("s3://images/disks/missing.qcow2")
                .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.SOURCE_NOT_FOUND);
        assertThat(backoffs).isEmpty();
    }

    @Test
    void urlWithoutKeyIsRefused() {
        assertThatThrownBy(() -> run("s3://" + BUCKET, options(secret)))
                .isInstanceOf(DiskException.class).hasMessageContaining("must be s3://bucket/key");
    }

    private SourceOptions options(Path secretDir) {
        return new SourceOptions(null, false, List.of(), secretDir, 3, Duration.ofSeconds(10), server.endpoint(), null);
    }

    private void run(String url, SourceOptions options) throws IOException {
        try (ImageSource source = SourceLocator.open(url, options, backoffs::add)) {
            new DiskImport(source, new Destination(dir.resolve("disk.img")), ImportOptions.defaults(),
                    new TransferProgress()).run();
        }
    }
}
