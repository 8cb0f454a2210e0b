package dev.ferry.uploader.server;

import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.source.RandomAccessInput;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/** The image arriving in upload requests, as the disk engine reads every source: one sequential pass. */
final class UploadedImage implements ImageSource {
    private final BytePipe pipe;
    private final long size;

    /** {@code size} is the whole upload's length, or -1 when the client did not say. */
    UploadedImage(BytePipe pipe, long size) {
        this.pipe = pipe;
        this.size = size;
    }

    @Override
    public ReadableByteChannel open() {
        return pipe;
    }

    @Override
    public Optional<RandomAccessInput> randomAccess() {
        return Optional.empty();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String describe() {
        return "upload";
    }

    @Override
    public void close() {
        pipe.close();
    }
}
