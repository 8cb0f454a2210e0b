package dev.ferry.importer.testing;

import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import java.nio.file.Path;

/**
 * Runs {@link S3Server} for the benchmarks: {@code S3ServerMain STORAGE_DIR FILE KEY} starts
 * S3Proxy, uploads FILE to bucket {@code bench} as KEY with the MinIO client, prints
 * {@code ENDPOINT <url>} and serves until killed.
 */
public final class S3ServerMain {
    private S3ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        S3Server server = new S3Server(Path.of(args[0]));
        MinioClient minio = MinioClient.builder().endpoint(server.endpoint())
                .credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY).region("us-east-1").build();
        minio.makeBucket(MakeBucketArgs.builder().bucket("bench").build());
        minio.uploadObject(UploadObjectArgs.builder().bucket("bench").object(args[2]).filename(args[1]).build());
        System.out.println("ENDPOINT " + server.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }
}
