package dev.ferry.disk.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.DiskException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar extraction keeps everything inside the target directory. */
class TarExtractorTest {
    @TempDir
    Path dir;

    @Test
    void extractsFilesDirectoriesAndInternalLinks() throws IOException {
        byte[] tar = tar(out -> {
            directory(out, "data/");
            file(out, "data/disk.img", "disk");
            symlink(out, "data/link", "disk.img");
            hardlink(out, "data/hard", "data/disk.img");
        });
        Path root = dir.resolve("root");

        long bytes = new TarExtractor(root, Long.MAX_VALUE).extract(new ByteArrayInputStream(tar));

        assertThat(bytes).isEqualTo(4);
        assertThat(root.resolve("data/disk.img")).hasContent("disk");
        assertThat(root.resolve("data/link")).hasContent("disk");
        assertThat(root.resolve("data/hard")).hasContent("disk");
    }

    @Test
    void refusesParentTraversal() {
        assertUnsafe(out -> file(out, "a/../../escape", "x"), "climbs out");
    }

    @Test
    void refusesAFileNamedLikeTheRootItself() {
        assertUnsafe(out -> file(out, ".", "x"), "names the target directory itself");
        assertUnsafe(out -> file(out, "a/..", "x"), "climbs out");
    }

    @Test
    void aFileWhereADirectoryIsIsAnInvalidArchive() {
        byte[] tar = tar(out -> {
            directory(out, "d/");
            file(out, "d/x", "1");
            file(out, "d", "2");
        });
        assertThatThrownBy(() -> new TarExtractor(dir.resolve("r"), 100).extract(new ByteArrayInputStream(tar)))
                .isInstanceOf(DiskException.class).hasMessageContaining("cannot extract entry 'd'");
    }

    @Test
    void truncatedEntryIsAnInvalidArchive() {
        byte[] full = tar(out -> file(out, "f", "x".repeat(4000)));
        byte[] cut = java.util.Arrays.copyOf(full, 512 + 1000);
        assertThatThrownBy(() -> new TarExtractor(dir.resolve("r"), 1 << 20).extract(new ByteArrayInputStream(cut)))
                .isInstanceOf(DiskException.class).hasMessageContaining("entry 'f' is truncated or corrupt");
    }

    @Test
    void nulInALinkTargetIsRefused() {
        assertUnsafe(out -> symlink(out, "link", "a".repeat(120) + "\u0000b"), "invalid path or link target");
    }

    @Test
    void refusesAbsolutePaths() {
        assertUnsafe(out -> file(out, "/etc/escape", "x"), "absolute");
    }

    @Test
    void refusesSymlinksThatEscape() {
        assertUnsafe(out -> symlink(out, "link", "../../etc/passwd"), "points outside");
        assertUnsafe(out -> symlink(out, "link", "/etc/passwd"), "points outside");
    }

    @Test
    void refusesWritingThroughAPlantedSymlink() {
        assertUnsafe(out -> {
            symlink(out, "sub", ".");
            file(out, "sub/file", "x");
        }, "through the symbolic link");
    }

    @Test
    void refusesHardLinksToOutsideFiles() {
        assertUnsafe(out -> hardlink(out, "hard", "../outside"), "climbs out");
        assertUnsafe(out -> hardlink(out, "hard", "never-extracted"), "does not name a file");
    }

    @Test
    void refusesDevicesAndFifos() {
        assertUnsafe(out -> special(out, "dev", TarConstants.LF_BLK), "device or FIFO");
        assertUnsafe(out -> special(out, "chr", TarConstants.LF_CHR), "device or FIFO");
        assertUnsafe(out -> special(out, "fifo", TarConstants.LF_FIFO), "device or FIFO");
    }

    @Test
    void boundsTheTotalExtracted() {
        byte[] tar = tar(out -> file(out, "big", "0123456789"));
        assertThatThrownBy(() -> new TarExtractor(dir.resolve("r"), 5).extract(new ByteArrayInputStream(tar)))
                .isInstanceOf(DiskException.class).hasMessageContaining("does not fit");
    }

    @Test
    void garbageIsAnInvalidArchive() {
        assertThatThrownBy(() -> new TarExtractor(dir.resolve("r"), 100)
                .extract(new ByteArrayInputStream("not a tar at all".repeat(100).getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(DiskException.class);
    }

    private void assertUnsafe(Consumer<TarArchiveOutputStream> entries, String message) {
        byte[] tar = tar(entries);
        Path root = dir.resolve("root-" + System.nanoTime());
        assertThatThrownBy(() -> new TarExtractor(root, Long.MAX_VALUE).extract(new ByteArrayInputStream(tar)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((DiskException) e).reason()).isIn(DiskException.Reason.UNSAFE_ARCHIVE,
                        DiskException.Reason.INVALID_IMAGE);
        assertThat(dir.resolve("escape")).doesNotExist();
        assertThat(dir.getParent().resolve("escape")).doesNotExist();
    }

    static byte[] tar(Consumer<TarArchiveOutputStream> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.accept(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static void file(TarArchiveOutputStream out, String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(data.length);
        put(out, entry, data);
    }

    static void directory(TarArchiveOutputStream out, String name) {
        put(out, new TarArchiveEntry(name, TarConstants.LF_DIR, true), new byte[0]);
    }

    static void symlink(TarArchiveOutputStream out, String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        entry.setLinkName(target);
        put(out, entry, new byte[0]);
    }

    static void hardlink(TarArchiveOutputStream out, String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        entry.setLinkName(target);
        put(out, entry, new byte[0]);
    }

    static void special(TarArchiveOutputStream out, String name, byte type) {
        put(out, new TarArchiveEntry(name, type, true), new byte[0]);
    }

    private static void put(TarArchiveOutputStream out, TarArchiveEntry entry, byte[] data) {
        try {
            out.putArchiveEntry(entry);
            out.write(data);
            out.closeArchiveEntry();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
