package dev.ferry.disk.archive;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a tar stream into a directory for {@code contentType: archive}. Refuses anything
 * that could land outside it: absolute names, {@code ..}, symbolic or hard links that escape,
 * devices and FIFOs. The total extracted is bounded by {@code limit}.
 */
public final class TarExtractor {
    private final Path root;
    private final long limit;
    private long extracted;
    private int entries;

    public TarExtractor(Path root, long limit) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.limit = limit;
        Files.createDirectories(this.root);
    }

    /** Extracts every entry; returns the number of file bytes written. */
    public long extract(InputStream in) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar)) != null) {
                entries++;
                try {
                    extractEntry(tar, entry);
                } catch (InvalidPathException e) {
                    throw unsafe("tar: entry '%s' has an invalid path or link target: %s", entry.getName(), e.getMessage());
                } catch (FileSystemException e) {
                    throw new DiskException(DiskException.Reason.INVALID_IMAGE, "tar: cannot extract entry '"
                            + entry.getName() + "': " + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()), e);
                }
            }
        }
        if (entries == 0) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, "tar: archive holds no entries");
        }
        return extracted;
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException | IOException e) {
            if (e instanceof DiskException disk) {
                throw disk;
            }
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, "tar: corrupt archive: " + e.getMessage(), e);
        }
    }

    private void extractEntry(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
        String name = entry.getName();
        Path target = resolve(name);
        if (target.equals(root) && !entry.isDirectory()) {
            throw unsafe("tar: entry '%s' names the target directory itself", name);
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            throw unsafe("tar: entry '%s' is a device or FIFO; archives may hold only files, directories and links", name);
        }
        if (entry.isDirectory()) {
            Files.createDirectories(target);
        } else if (entry.isSymbolicLink()) {
            symlink(entry, target);
        } else if (entry.isLink()) {
            hardLink(entry, target);
        } else if (entry.isFile()) {
            file(tar, entry, target);
        } else {
            throw unsafe("tar: entry '%s' has unsupported type '%c'", name, (char) entry.getLinkFlag());
        }
    }

    private Path resolve(String name) throws DiskException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\0")) {
            throw unsafe("tar: entry '%s' has an absolute or empty path", name);
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw unsafe("tar: entry '%s' climbs out of the target directory with '..'", name);
            }
        }
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root)) {
            throw unsafe("tar: entry '%s' resolves outside the target directory", name);
        }
        checkParents(target, name);
        return target;
    }

    /** A parent that is a symlink (planted by an earlier entry) could redirect the write. */
    private void checkParents(Path target, String name) throws DiskException {
        for (Path p = target.getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw unsafe("tar: entry '%s' would be written through the symbolic link '%s'", name, root.relativize(p));
            }
        }
    }

    private void symlink(TarArchiveEntry entry, Path target) throws IOException {
        String link = entry.getLinkName();
        Path resolved = target.getParent().resolve(link).normalize();
        if (link.startsWith("/") || !resolved.startsWith(root)) {
            throw unsafe("tar: symbolic link '%s' -> '%s' points outside the target directory", entry.getName(), link);
        }
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(link));
    }

    private void hardLink(TarArchiveEntry entry, Path target) throws IOException {
        Path existing = resolve(entry.getLinkName());
        if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
            throw unsafe("tar: hard link '%s' -> '%s' does not name a file extracted earlier",
                    entry.getName(), entry.getLinkName());
        }
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Files.createLink(target, existing);
    }

    private void file(TarArchiveInputStream tar, TarArchiveEntry entry, Path target) throws IOException {
        if (entry.getSize() > limit - extracted) {
            throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, String.format(
                    "tar: entry '%s' (%s) does not fit: %s of %s already used",
                    entry.getName(), Sizes.human(entry.getSize()), Sizes.human(extracted), Sizes.human(limit)));
        }
        Files.createDirectories(target.getParent());
        if (Files.isSymbolicLink(target)) {
            Files.delete(target);
        }
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = readEntry(tar, buffer, entry)) > 0) {
                out.write(buffer, 0, n);
                extracted += n;
            }
        }
        if ((entry.getMode() & 0111) != 0) {
            target.toFile().setExecutable(true, (entry.getMode() & 011) == 0);
        }
    }

    /** A read failure is the archive's fault (truncated, corrupt); a write failure is the disk's. */
    private static int readEntry(TarArchiveInputStream tar, byte[] buffer, TarArchiveEntry entry) throws DiskException {
        try {
            return tar.read(buffer);
        } catch (IOException | IllegalArgumentException e) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, "tar: entry '" + entry.getName()
                    + "' is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    private static DiskException unsafe(String format, Object... args) {
        return new DiskException(DiskException.Reason.UNSAFE_ARCHIVE, String.format(format, args));
    }

}
