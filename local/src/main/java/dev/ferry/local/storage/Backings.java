package dev.ferry.local.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where local storage keeps data under the data root: a filesystem volume is a directory
 * {@code volumes/<pv>/}, a block volume a file {@code volumes/<pv>.img}; a snapshot is the same under
 * {@code snapshots/<content>}. A copy in progress is written beside its final name and renamed when
 * complete, so a restart never mistakes half a volume for a whole one.
 */
final class Backings {
    private static final String PARTIAL = ".partial";
    private final Path volumes;
    private final Path snapshots;

    Backings(Path dataRoot) throws IOException {
        this.volumes = Files.createDirectories(dataRoot.resolve("volumes"));
        this.snapshots = Files.createDirectories(dataRoot.resolve("snapshots"));
    }

    Path volume(String pv, boolean block) {
        return block ? volumes.resolve(pv + ".img") : volumes.resolve(pv);
    }

    Path snapshot(String content, boolean block) {
        return block ? snapshots.resolve(content + ".img") : snapshots.resolve(content);
    }

    Path volumes() {
        return volumes;
    }

    static Path partial(Path backing) {
        return backing.resolveSibling(backing.getFileName() + PARTIAL);
    }

    /** Whether {@code path} lies under this data root (never delete anything else). */
    boolean owns(Path path) {
        Path normal = path.toAbsolutePath().normalize();
        return normal.startsWith(volumes) || normal.startsWith(snapshots);
    }

    static void delete(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> tree = Files.walk(path)) {
                List<Path> all = tree.sorted(Comparator.reverseOrder()).toList();
                for (Path p : all) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
    }
}
