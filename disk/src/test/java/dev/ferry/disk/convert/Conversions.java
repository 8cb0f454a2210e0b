package dev.ferry.disk.convert;

import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.source.FileImageSource;
import java.io.IOException;
import java.nio.file.Path;

/** Runs a real {@link DiskImport} from a local file, as {@code ferry import} does. */
public final class Conversions {
    private Conversions() {
    }

    public static ImportResult importFile(Path source, Path dest) throws IOException {
        return importFile(source, dest, ImportOptions.defaults());
    }

    public static ImportResult importFile(Path source, Path dest, ImportOptions options) throws IOException {
        try (FileImageSource image = FileImageSource.open(source)) {
            return new DiskImport(image, new Destination(dest), options, new TransferProgress()).run();
        }
    }
}
