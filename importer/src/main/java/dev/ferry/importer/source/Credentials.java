package dev.ferry.importer.source;

import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/** A user name and password (access key and secret key) read from CDI's secret files. */
public record Credentials(String accessKeyId, String secretKey) {
    /** Reads {@code accessKeyId} and {@code secretKey} from {@code dir}; empty when no directory is given. */
    public static Optional<Credentials> read(Path dir) throws IOException {
        if (dir == null) {
            return Optional.empty();
        }
        Path user = dir.resolve("accessKeyId");
        Path password = dir.resolve("secretKey");
        if (!Files.isRegularFile(user) || !Files.isRegularFile(password)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "secret directory " + dir
                    + " must hold the files accessKeyId and secretKey");
        }
        return Optional.of(new Credentials(Files.readString(user, StandardCharsets.UTF_8).strip(),
                Files.readString(password, StandardCharsets.UTF_8).strip()));
    }

    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((accessKeyId + ":" + secretKey).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + accessKeyId + ", ****]";
    }
}
