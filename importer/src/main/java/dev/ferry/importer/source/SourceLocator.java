package dev.ferry.importer.source;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.source.FileImageSource;
import dev.ferry.disk.source.ImageSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Turns a user's {@code --source} (a path or URL) into an {@link ImageSource}. */
public final class SourceLocator {
    private SourceLocator() {
    }

    public static ImageSource open(String location) throws IOException {
        if (!location.contains("://")) {
            return FileImageSource.open(Path.of(location));
        }
        URI uri = parse(location);
        return switch (uri.getScheme()) {
            case "file" -> FileImageSource.open(Path.of(uri));
            case "http", "https", "s3", "docker" -> throw new DiskException(DiskException.Reason.INVALID_ARGUMENT,
                    uri.getScheme() + ":// sources are not available in this build yet; import a local file");
            default -> throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "unknown source scheme '"
                    + uri.getScheme() + "' (expected file://, or a path)");
        };
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
