package dev.ferry.disk.convert;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.checksum.Checksum;

/**
 * What the user asked for besides source and destination.
 *
 * @param archive {@code contentType: archive}: extract a tar into the destination directory
 * @param requestedSize the disk size to end with (never below the image's virtual size), or -1
 * @param checksum the expected checksum of the source bytes, or null
 * @param preallocate allocate the whole disk (CDI's {@code preallocation: true})
 */
public record ImportOptions(boolean archive, long requestedSize, Checksum checksum, boolean preallocate) {
    public static ImportOptions defaults() {
        return new ImportOptions(false, -1, null, false);
    }

    /** Options as a worker's environment gives them: {@code size} a quantity ("10Gi") or null, {@code checksum} "algo:hex" or null. */
    public static ImportOptions parse(boolean archive, String size, String checksum, boolean preallocate) throws DiskException {
        long bytes = -1;
        if (size != null) {
            try {
                bytes = Sizes.parse(size);
            } catch (IllegalArgumentException e) {
                throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "disk size " + size + ": " + e.getMessage());
            }
        }
        return new ImportOptions(archive, bytes, checksum == null ? null : Checksum.parse(checksum), preallocate);
    }
}
