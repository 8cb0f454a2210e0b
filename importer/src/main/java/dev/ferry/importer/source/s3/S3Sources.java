package dev.ferry.importer.source.s3;

import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.Credentials;
import dev.ferry.importer.source.SourceOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 client for {@code s3://bucket/key}: path-style against any S3-compatible
 * endpoint, credentials from CDI's secret files or the AWS default chain, SDK retries off.
 */
public final class S3Sources {
    private S3Sources() {
    }

    /** The source for an {@code s3://bucket/key} URL. */
    public static S3RangeSource open(URI uri, SourceOptions options) throws IOException {
        String bucket = uri.getHost();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "S3 source '" + uri
                    + "' must be s3://bucket/key");
        }
        return new S3RangeSource(client(options), bucket, key);
    }

    static S3Client client(SourceOptions options) throws IOException {
        Optional<Credentials> credentials = Credentials.read(options.secretDir());
        AwsCredentialsProvider provider = credentials.isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(credentials.get().accessKeyId(),
                        credentials.get().secretKey()))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(30))
                        .socketTimeout(options.stallTimeout())
                        .build())
                .credentialsProvider(provider)
                .region(Region.of(System.getenv().getOrDefault("AWS_REGION", "us-east-1")))
                .forcePathStyle(true)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)));
        if (options.s3Endpoint() != null) {
            builder.endpointOverride(URI.create(options.s3Endpoint()));
        }
        return builder.build();
    }
}
