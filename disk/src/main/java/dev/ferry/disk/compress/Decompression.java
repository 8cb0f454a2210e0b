package dev.ferry.disk.compress;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.ferry.disk.DiskException;
import dev.ferry.disk.format.ImageFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.XZInputStream;

/**
 * Wraps a compressed source (gz, xz, zstd) in a decoder. Decoder memory is bounded: xz refuses
 * streams needing more than {@value #XZ_MEMORY_LIMIT_KIB} KiB, zstd keeps its default 128 MiB
 * window limit. Output size is bounded later, by the target.
 */
public final class Decompression {
    static final int XZ_MEMORY_LIMIT_KIB = 96 * 1024;
    private static final int BUFFER = 256 * 1024;

    private Decompression() {
    }

    public static ReadableByteChannel decode(ImageFormat format, ReadableByteChannel compressed) throws IOException {
        InputStream in = new BufferedInputStream(Channels.newInputStream(compressed), BUFFER);
        InputStream decoded = switch (format) {
            case GZIP -> new GZIPInputStream(in, BUFFER);
            case XZ -> xz(in);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            default -> throw new IllegalArgumentException(format + " is not a compression format");
        };
        return new DecodingChannel(format, decoded);
    }

    private static InputStream xz(InputStream in) throws IOException {
        try {
            return new XZInputStream(in, XZ_MEMORY_LIMIT_KIB);
        } catch (MemoryLimitException e) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, String.format(
                    "xz: stream needs %d MiB of memory to decode, more than the %d MiB allowed",
                    e.getMemoryNeeded() / 1024, XZ_MEMORY_LIMIT_KIB / 1024));
        }
    }
}
