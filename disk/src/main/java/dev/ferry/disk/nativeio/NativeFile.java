package dev.ferry.disk.nativeio;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * A native file descriptor for the calls FileChannel cannot make: hole punching, zero ranges,
 * {@code SEEK_DATA}, block-device sizing and zeroing. Data I/O stays on FileChannel.
 */
public final class NativeFile implements AutoCloseable {
    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private final int fd;
    private final Path path;

    private NativeFile(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    public static NativeFile open(Path path, boolean writable) throws IOException {
        int fd = LIBC.open(path.toString(), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw failure("open", path);
        }
        return new NativeFile(fd, path);
    }

    /** Deallocates a range so it reads back as zeroes; false when the filesystem cannot. */
    public boolean punchHole(long offset, long length) throws IOException {
        return fallocate(LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length);
    }

    /** Zeroes a range keeping it allocated (for preallocated disks); false when unsupported. */
    public boolean zeroRange(long offset, long length) throws IOException {
        return fallocate(LibC.FALLOC_FL_ZERO_RANGE | LibC.FALLOC_FL_KEEP_SIZE, offset, length);
    }

    /** Allocates blocks for the range; false when the filesystem cannot. */
    public boolean allocate(long offset, long length) throws IOException {
        return fallocate(0, offset, length);
    }

    /** The first offset at or after {@code offset} that holds data, or -1 if none does. */
    public long nextData(long offset) throws IOException {
        long result = LIBC.lseek(fd, offset, LibC.SEEK_DATA);
        if (result >= 0) {
            return result;
        }
        int errno = LastError.getLastError(RUNTIME);
        if (errno == LibC.ENXIO) {
            return -1;
        }
        throw new IOException("lseek(SEEK_DATA) on " + path + ": " + LIBC.strerror(errno));
    }

    /** The first offset at or after {@code offset} in a hole (the end of the file counts as one). */
    public long nextHole(long offset) throws IOException {
        long result = LIBC.lseek(fd, offset, LibC.SEEK_HOLE);
        if (result < 0) {
            throw failure("lseek(SEEK_HOLE)", path);
        }
        return result;
    }

    /**
     * Makes this file share every block of {@code source} (FICLONE): a metadata-only copy. False
     * when the filesystem cannot (ext4, or the two files on different filesystems).
     */
    public boolean reflinkFrom(NativeFile source) throws IOException {
        if (LIBC.ioctl(fd, LibC.FICLONE, source.fd) == 0) {
            return true;
        }
        int errno = LastError.getLastError(RUNTIME);
        if (errno == 95 /* EOPNOTSUPP */ || errno == 18 /* EXDEV */ || errno == 22 /* EINVAL */ || errno == 25 /* ENOTTY */) {
            return false;
        }
        throw new IOException("ioctl(FICLONE) " + source.path + " → " + path + ": " + LIBC.strerror(errno));
    }

    /**
     * Copies {@code length} bytes at {@code offset} of {@code source} to the same offset here, in
     * the kernel (no user-space buffer; on XFS and btrfs the blocks may be shared). Returns the bytes
     * copied, short only at the source's end; -1 when the kernel cannot copy between these files.
     */
    public long copyRangeFrom(NativeFile source, long offset, long length) throws IOException {
        long[] in = {offset};
        long[] out = {offset};
        long done = 0;
        while (done < length) {
            long n = LIBC.copy_file_range(source.fd, in, fd, out, length - done, 0);
            if (n == 0) {
                break;
            }
            if (n < 0) {
                int errno = LastError.getLastError(RUNTIME);
                if (done == 0 && (errno == 18 /* EXDEV */ || errno == 38 /* ENOSYS */ || errno == 95 /* EOPNOTSUPP */
                        || errno == 22 /* EINVAL */)) {
                    return -1;
                }
                throw new IOException("copy_file_range " + source.path + " → " + path + ": " + LIBC.strerror(errno));
            }
            done += n;
        }
        return done;
    }

    /** The size of a block device (or file), by seeking to its end. */
    public long size() throws IOException {
        long result = LIBC.lseek(fd, 0, LibC.SEEK_END);
        if (result < 0) {
            throw failure("lseek(SEEK_END)", path);
        }
        return result;
    }

    /** BLKZEROOUT on a block device; false when the device or kernel does not support it. */
    public boolean zeroOutBlocks(long offset, long length) {
        return LIBC.ioctl(fd, LibC.BLKZEROOUT, new long[] {offset, length}) == 0;
    }

    private boolean fallocate(int mode, long offset, long length) throws IOException {
        if (length <= 0) {
            return true;
        }
        if (LIBC.fallocate(fd, mode, offset, length) == 0) {
            return true;
        }
        int errno = LastError.getLastError(RUNTIME);
        if (errno == 95 /* EOPNOTSUPP */ || errno == 38 /* ENOSYS */ || errno == 22 /* EINVAL */) {
            return false;
        }
        throw new IOException("fallocate(mode=" + mode + ") on " + path + ": " + LIBC.strerror(errno));
    }

    private static IOException failure(String call, Path path) {
        int errno = LastError.getLastError(RUNTIME);
        return new IOException(call + " " + path + ": " + LIBC.strerror(errno));
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
