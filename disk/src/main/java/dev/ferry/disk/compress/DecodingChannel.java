package dev.ferry.disk.compress;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.format.ImageFormat;
import dev.ferry.disk.source.StreamChannel;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/** A decoder as a channel; corrupt compressed data becomes an "invalid image" error naming the format. */
final class DecodingChannel extends StreamChannel {
    private final ImageFormat format;

    DecodingChannel(ImageFormat format, InputStream in) {
        super(in);
        this.format = format;
    }

    @Override
    protected IOException translate(IOException e) {
        boolean corrupt = e instanceof ZipException || e instanceof EOFException
                || e instanceof com.github.luben.zstd.ZstdIOException
                || e.getClass().getPackageName().startsWith("org.tukaani");
        return corrupt ? new DiskException(DiskException.Reason.INVALID_IMAGE,
                format.label() + ": compressed data is corrupt or truncated: " + e.getMessage(), e) : e;
    }
}
