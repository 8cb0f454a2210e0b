package dev.ferry.disk.convert;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.sink.BlockDeviceTarget;
import dev.ferry.disk.sink.DiskTarget;
import dev.ferry.disk.sink.SparseFileTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Where a disk goes: a regular file (created if missing), an existing block device, or a directory for archives. */
public record Destination(Path path) implements ImportDestination {
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    public boolean isBlockDevice() throws IOException {
        if (!Files.exists(path)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & S_IFMT) == S_IFBLK;
    }

    @Override
    public DiskTarget open(long requestedSize, boolean preallocate) throws IOException {
        if (isBlockDevice()) {
            return BlockDeviceTarget.open(path, preallocate);
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "destination " + path
                    + " is a directory; a disk goes to a file (e.g. " + path.resolve("disk.img") + ") or a block device");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "destination directory " + parent + " does not exist");
        }
        return SparseFileTarget.open(path, requestedSize > 0 ? requestedSize : Long.MAX_VALUE, preallocate);
    }

    /**
     * The size a disk takes here when none is asked for: a block device's, or an existing regular
     * file's (a volume's backing file standing in for a device, as local storage keeps Block
     * volumes); 0 when there is none.
     */
    public long existingCapacity() throws IOException {
        if (isBlockDevice()) {
            try (BlockDeviceTarget device = BlockDeviceTarget.open(path)) {
                return device.capacity();
            }
        }
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ? Files.size(path) : 0;
    }

    /** Next to the disk, on the same volume. */
    @Override
    public Path spillDirectory() {
        Path parent = path.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
