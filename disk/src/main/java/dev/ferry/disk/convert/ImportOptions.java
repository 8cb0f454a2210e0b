package dev.ferry.disk.convert;

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
}
