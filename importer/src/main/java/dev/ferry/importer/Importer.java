package dev.ferry.importer;

import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.importer.source.SourceLocator;
import dev.ferry.importer.source.SourceOptions;
import java.io.IOException;
import java.nio.file.Path;

/** The one code path behind {@code ferry import} and the importer worker: locate the source, run the import. */
public final class Importer {
    /** CDI's {@code source: blank}: an empty raw disk of the requested size. */
    public static final String BLANK = "blank:";
    private Importer() {
    }

    public static ImportResult run(String source, Path destination, ImportOptions options, TransferProgress progress)
            throws IOException {
        return run(source, SourceOptions.defaults(), destination, options, progress);
    }

    public static ImportResult run(String source, SourceOptions sourceOptions, Path destination, ImportOptions options,
            TransferProgress progress) throws IOException {
        if (BLANK.equals(source)) {
            return DiskImport.blank(new Destination(destination), options);
        }
        try (ImageSource image = SourceLocator.open(source, sourceOptions)) {
            return new DiskImport(image, new Destination(destination), options, progress).run();
        }
    }
}
