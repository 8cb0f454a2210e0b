package dev.ferry.disk.compress;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.format.ImageFormat;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.ZipException;

/** A decoder as a channel; corrupt compressed data becomes an "invalid image" error naming the format. */
final class DecodingChannel implements ReadableByteChannel {
    private final ImageFormat format;
    private final InputStream in;
    private final byte[] chunk = new byte[256 * 1024];
    private boolean open = true;

    DecodingChannel(ImageFormat format, InputStream in) {
        this.format = format;
        this.in = in;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n;
        try {
            n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
        } catch (ZipException | EOFException | org.tukaani.xz.CorruptedInputException
                | org.tukaani.xz.UnsupportedOptionsException | com.github.luben.zstd.ZstdIOException e) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE,
                    format.label() + ": compressed data is corrupt or truncated: " + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getClass().getPackageName().startsWith("org.tukaani")) {
                throw new DiskException(DiskException.Reason.INVALID_IMAGE,
                        format.label() + ": compressed data is corrupt or truncated: " + e.getMessage(), e);
            }
            throw e;
        }
        if (n > 0) {
            dst.put(chunk, 0, n);
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        in.close();
    }
}
