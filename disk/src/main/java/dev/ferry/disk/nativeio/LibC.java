package dev.ferry.disk.nativeio;

import jnr.ffi.annotations.SaveError;

/** The few libc calls the JDK does not expose (jnr-posix lacks fallocate and ioctl). */
public interface LibC {
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;

    int SEEK_END = 2;
    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;

    int FALLOC_FL_KEEP_SIZE = 0x01;
    int FALLOC_FL_PUNCH_HOLE = 0x02;
    int FALLOC_FL_ZERO_RANGE = 0x10;

    /** {@code _IO(0x12, 127)}: zero a byte range of a block device, {@code uint64_t[2] = {start, len}}. */
    long BLKZEROOUT = 0x127F;

    /** {@code _IOW(0x94, 9, int)}: share all of a file's blocks with another (reflink); XFS with reflink=1, btrfs. */
    long FICLONE = 0x40049409L;

    int ENXIO = 6;

    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    int fallocate(int fd, int mode, long offset, long length);

    @SaveError
    long lseek(int fd, long offset, int whence);

    @SaveError
    int ioctl(int fd, long request, long[] argument);

    /** The ioctls whose argument is a file descriptor (FICLONE). */
    @SaveError
    int ioctl(int fd, long request, int argument);

    /** Copies in the kernel; {@code offIn}/{@code offOut} are one-element arrays, advanced by what was copied. */
    @SaveError
    long copy_file_range(int fdIn, long[] offIn, int fdOut, long[] offOut, long length, int flags);

    String strerror(int errno);
}
