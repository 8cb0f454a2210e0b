package dev.ferry.disk.convert;

import dev.ferry.disk.format.ImageFormat;

/**
 * What an import did.
 *
 * @param format the image format found (under any compression)
 * @param compression the compression around it, or null
 * @param virtualSize the image's own size
 * @param diskSize the size of the disk written (after any resize)
 * @param sourceBytes bytes read from the source
 * @param millis wall time
 */
public record ImportResult(ImageFormat format, ImageFormat compression, long virtualSize, long diskSize,
        long sourceBytes, long millis) {
}
