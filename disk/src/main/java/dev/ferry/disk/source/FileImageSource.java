package dev.ferry.disk.source;

import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** A local image file: sequential reads for the one pass, positional reads for replays. */
public final class FileImageSource implements ImageSource, RandomAccessInput {
    private final Path path;
    private final FileChannel channel;
    private final long size;

    private FileImageSource(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        this.size = channel.size();
    }

    public static FileImageSource open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "source " + path + " is a directory, not an image");
        }
        try {
            return new FileImageSource(path, FileChannel.open(path, StandardOpenOption.READ));
        } catch (NoSuchFileException e) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "source " + path + " does not exist");
        }
    }

    @Override
    public ReadableByteChannel open() throws IOException {
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    @Override
    public Optional<RandomAccessInput> randomAccess() {
        return Optional.of(this);
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        return channel.read(dst, position);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
