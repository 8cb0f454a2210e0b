package dev.ferry.importer.source.s3;

import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.remote.RangeSource;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** An S3 object read with ranged GETs. The SDK does not retry: Ferry's policy does, resuming. */
public final class S3RangeSource implements RangeSource {
    private final S3Client client;
    private final String bucket;
    private final String key;

    public S3RangeSource(S3Client client, String bucket, String key) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
    }

    @Override
    public Probe probe() throws IOException {
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
            return new Probe(head.contentLength(), true);
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    @Override
    public InputStream open(long from, long to) throws IOException {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        if (from > 0 || to >= 0) {
            request.range("bytes=" + from + "-" + (to < 0 ? "" : String.valueOf(to - 1)));
        }
        try {
            return client.getObject(request.build());
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    private IOException failure(SdkException e) {
        int status = e instanceof S3Exception s3 ? s3.statusCode() : -1;
        String where = "S3 " + (status > 0 ? status + " " : "") + "for " + describe() + ": " + e.getMessage();
        return switch (status) {
            case 401, 403 -> new DiskException(DiskException.Reason.SOURCE_UNAUTHORIZED,
                    where + " (check the credentials: secretRef / --secret-dir)");
            case 404 -> new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, where);
            default -> status >= 400 && status < 500 && status != 408 && status != 429
                    ? new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, where)
                    : new IOException(where, e);
        };
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + key;
    }
}
