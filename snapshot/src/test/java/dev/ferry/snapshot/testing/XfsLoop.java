package dev.ferry.snapshot.testing;

import dev.ferry.disk.testing.Tools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An XFS filesystem with reflink on a loop device, made for a test and gone after it: where files
 * can share blocks (ext4, this machine's root, cannot). Needs root, xfsprogs and loop devices.
 */
public final class XfsLoop implements AutoCloseable {
    private final Path image;
    private final Path mount;

    private XfsLoop(Path image, Path mount) {
        this.image = image;
        this.mount = mount;
    }

    /** A sparse {@code size}-byte XFS (reflink=1) under {@code dir}, mounted at {@code dir/mnt}. */
    public static XfsLoop create(Path dir, long size) throws IOException {
        Tools.require("mkfs.xfs");
        Tools.require("losetup");
        Path image = dir.resolve("xfs.img");
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(size);
        }
        Tools.run("mkfs.xfs", "-q", "-m", "reflink=1", image.toString());
        Tools.run("mount", "-o", "loop", image.toString(), mount.toString());
        return new XfsLoop(image, mount);
    }

    public Path root() {
        return mount;
    }

    /** Whether {@code file}'s extents are shared with another file (filefrag reports "shared"). */
    public static boolean shared(Path file) {
        return Tools.run("filefrag", "-v", file.toString()).contains("shared");
    }

    @Override
    public void close() throws IOException {
        Tools.exec("umount", mount.toString());
        Files.deleteIfExists(image);
    }
}
