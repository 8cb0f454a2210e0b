package dev.ferry.disk.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.disk.DiskException;
import dev.ferry.disk.archive.TarExtractor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tar extractor under fuzzed entries (names with {@code ..}, absolute paths, links to
 * anywhere, devices, files written through earlier links) and fuzzed trailing bytes: it
 * either extracts inside the root or fails with a DiskException, and nothing ever lands outside.
 */
class TarFuzzTest {
    private static final byte[] TYPES = {'0', '1', '2', '3', '4', '5', '6', 'x', 'L', 'K'};
    private static final String[] PARTS = {"a", "b", "..", ".", "/", "", "disk.img", "link", "sub"};

    private static Path sandbox;

    /**
     * One sandbox for every execution, emptied after each, on tmpfs where the machine has one:
     * the extractor's sink is a directory by nature, and a new temporary directory per execution
     * on a disk filesystem cost more than the extraction.
     */
    @BeforeAll
    static void sandbox(@TempDir Path fallback) throws IOException {
        Path shm = Path.of("/dev/shm");
        sandbox = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "ferry-tar-fuzz") : fallback;
    }

    @AfterAll
    static void removeSandbox() throws IOException {
        try (Stream<Path> all = Files.walk(sandbox)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "${JAZZER_MAX_DURATION}", maxExecutions = Fuzzing.LONG_RUN_EXECUTIONS)
    void nothingEscapesTheRoot(FuzzedDataProvider in) throws IOException {
        byte[] tar = tar(in);
        Path root = sandbox.resolve("root");
        try {
            new TarExtractor(root, 1 << 20).extract(new ByteArrayInputStream(tar));
        } catch (DiskException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            try (Stream<Path> all = Files.walk(sandbox)) {
                assertThat(all.filter(p -> !p.equals(sandbox)))
                        .allSatisfy(p -> assertThat(p.startsWith(root)).as("%s escaped %s", p, root).isTrue());
            }
            try (Stream<Path> all = Files.walk(sandbox)) {
                all.filter(p -> !p.equals(sandbox)).sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static byte[] tar(FuzzedDataProvider in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            int entries = in.consumeInt(0, 6);
            for (int i = 0; i < entries; i++) {
                TarArchiveEntry entry = new TarArchiveEntry(path(in), in.pickValue(TYPES), true);
                entry.setLinkName(path(in));
                byte[] data = entry.isFile() ? in.consumeBytes(in.consumeInt(0, 64)) : new byte[0];
                entry.setSize(data.length);
                out.putArchiveEntry(entry);
                out.write(data);
                out.closeArchiveEntry();
            }
        } catch (IllegalArgumentException | IOException invalidEntry) {
            // the writer refused the fuzzed entry: feed what was built so far
        }
        bytes.write(in.consumeRemainingAsBytes());
        return bytes.toByteArray();
    }

    private static String path(FuzzedDataProvider in) {
        StringBuilder path = new StringBuilder(in.consumeBoolean() ? "/" : "");
        int parts = in.consumeInt(1, 4);
        for (int i = 0; i < parts; i++) {
            path.append(i > 0 ? "/" : "").append(in.consumeBoolean() ? in.pickValue(PARTS) : in.consumeAsciiString(6));
        }
        return path.toString();
    }
}
