package dev.ferry.importer.source.s3;

import static dev.ferry.disk.testing.Tools.assertIdentical;

import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.testing.Images;
import dev.ferry.importer.source.SourceLocator;
import dev.ferry.importer.source.SourceOptions;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MinIOContainer;

/**
 * The same import against a real MinIO server in a container. Runs in the {@code docker}
 * Maven profile, which activates only where a Docker engine exists (there is none on the
 * CI machines of this project, so there it is not compiled into the run, rather than skipped).
 */
class MinioContainerTest {
    @TempDir
    Path dir;

    @Test
    void importsFromMinio() throws Exception {
        try (MinIOContainer minio = new MinIOContainer("minio/minio:RELEASE.2024-01-16T16-07-38Z")) {
            minio.start();
            MinioClient client = MinioClient.builder().endpoint(minio.getS3URL())
                    .credentials(minio.getUserName(), minio.getPassword()).build();
            client.makeBucket(MakeBucketArgs.builder().bucket("images").build());
            Path image = Images.scattered(dir, "image.qcow2", "");
            client.uploadObject(UploadObjectArgs.builder().bucket("images").object("image.qcow2")
                    .filename(image.toString()).build());
            Path secret = Files.createDirectories(dir.resolve("secret"));
            Files.writeString(secret.resolve("accessKeyId"), minio.getUserName());
            Files.writeString(secret.resolve("secretKey"), minio.getPassword());
            SourceOptions options = new SourceOptions(null, false, List.of(), secret, 3, Duration.ofSeconds(10),
                    minio.getS3URL(), null);

            try (ImageSource source = SourceLocator.open("s3://images/image.qcow2", options)) {
                new DiskImport(source, new Destination(dir.resolve("disk.img")), ImportOptions.defaults(),
                        new TransferProgress()).run();
            }

            assertIdentical(dir.resolve("disk.img"), image);
        }
    }
}
