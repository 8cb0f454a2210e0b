package dev.ferry.importer.source;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.source.FileImageSource;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.importer.source.http.HttpClients;
import dev.ferry.importer.source.http.HttpRangeSource;
import dev.ferry.importer.source.remote.RangeSource;
import dev.ferry.importer.source.remote.RemoteImageSource;
import dev.ferry.importer.source.remote.RetryPolicy;
import dev.ferry.importer.source.remote.StallGuard;
import dev.ferry.importer.source.registry.RegistrySources;
import dev.ferry.importer.source.s3.S3Sources;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a user's {@code --source} (a path or URL) into an {@link ImageSource}. */
public final class SourceLocator {
    /** Ranges in flight; tunable with -Dferry.range.parallel. */
    static final int PARALLEL_RANGES = Integer.getInteger("ferry.range.parallel", 8);

    private SourceLocator() {
    }

    public static ImageSource open(String location) throws IOException {
        return open(location, SourceOptions.defaults());
    }

    public static ImageSource open(String location, SourceOptions options) throws IOException {
        return open(location, options, RetryPolicy.Sleeper.REAL);
    }

    /** As {@link #open(String, SourceOptions)}, with the backoff sleeper injected (tests do not wait). */
    public static ImageSource open(String location, SourceOptions options, RetryPolicy.Sleeper sleeper)
            throws IOException {
        if (!location.contains("://")) {
            return FileImageSource.open(Path.of(location));
        }
        URI uri = parse(location);
        return switch (uri.getScheme()) {
            case "file" -> FileImageSource.open(Path.of(uri));
            case "http", "https" -> http(uri, options, sleeper);
            case "s3" -> remote(S3Sources.open(uri, options), options, sleeper);
            case "docker" -> RegistrySources.open(location, options, retry(options, sleeper), PARALLEL_RANGES);
            default -> throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "unknown source scheme '"
                    + uri.getScheme() + "' (expected http://, https://, s3://, docker://, file:// or a path)");
        };
    }

    private static ImageSource http(URI uri, SourceOptions options, RetryPolicy.Sleeper sleeper) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : options.headers()) {
            Map.Entry<String, String> header = HttpRangeSource.header(line);
            headers.put(header.getKey(), header.getValue());
        }
        Credentials.read(options.secretDir()).ifPresent(c -> headers.put("Authorization", c.basicAuthorization()));
        HttpRangeSource source = new HttpRangeSource(uri,
                HttpClients.connector("https".equals(uri.getScheme()), options.certDir(), options.insecureSkipVerify(),
                        options.stallTimeout()), headers);
        return remote(source, options, sleeper);
    }

    private static ImageSource remote(RangeSource source, SourceOptions options, RetryPolicy.Sleeper sleeper)
            throws IOException {
        return RemoteImageSource.open(source, retry(options, sleeper),
                new StallGuard(options.stallTimeout(), Clock.systemUTC()), PARALLEL_RANGES);
    }

    private static RetryPolicy retry(SourceOptions options, RetryPolicy.Sleeper sleeper) {
        RetryPolicy defaults = RetryPolicy.of(options.retries());
        return new RetryPolicy(options.retries(), defaults.initialBackoff(), defaults.maxBackoff(), sleeper);
    }

    private static URI parse(String location) throws DiskException {
        try {
            return new URI(location);
        } catch (URISyntaxException e) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "source '" + location + "' is not a valid URL: "
                    + e.getReason());
        }
    }
}
