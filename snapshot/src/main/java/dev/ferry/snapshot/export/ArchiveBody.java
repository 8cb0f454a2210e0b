package dev.ferry.snapshot.export;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code disk.tar.gz} of an archive (filesystem) volume: a thread of its own walks the volume and
 * writes a POSIX tar (directories, regular files, symbolic links; nothing else) through gzip at
 * level 1 into 1 MiB chunks, at most eight ahead of the socket; the socket takes them as they come.
 */
final class ArchiveBody extends Body {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(8);
    private final Runnable resume;
    private volatile boolean closed;
    private volatile IOException failure;

    ArchiveBody(Path root, Runnable resume, java.util.function.LongConsumer sent) {
        super(sent);
        this.resume = resume;
        Thread.ofPlatform().daemon().name("export-tar").start(() -> produce(root));
    }

    private void produce(Path root) {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(new Chunks(), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        })) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(root)) {
                paths = walk.filter(p -> !p.equals(root)).sorted().toList();
            }
            for (Path path : paths) {
                String name = root.relativize(path).toString().replace('\\', '/');
                TarArchiveEntry entry;
                if (Files.isSymbolicLink(path)) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(path).toString());
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    entry = new TarArchiveEntry(path, name + "/", LinkOption.NOFOLLOW_LINKS);
                } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    entry = new TarArchiveEntry(path, name, LinkOption.NOFOLLOW_LINKS);
                } else {
                    continue;
                }
                tar.putArchiveEntry(entry);
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    try (InputStream in = Files.newInputStream(path)) {
                        in.transferTo(tar);
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                java.util.logging.Logger.getLogger(ArchiveBody.class.getName()).log(java.util.logging.Level.WARNING,
                        "archiving " + root + " failed: " + e, e);
                failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
            }
        } finally {
            offer(END);
        }
    }

    /** Hands one chunk to the socket side (waits while eight are queued) and wakes the writer. */
    private void offer(byte[] chunk) {
        try {
            while (!closed && !chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                // the socket is behind: wait
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resume.run();
    }

    /** What the tar and gzip write, in chunks of up to 1 MiB. */
    private final class Chunks extends OutputStream {
        private byte[] buffer = new byte[1 << 20];
        private int filled;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int off, int len) throws IOException {
            while (len > 0) {
                if (closed) {
                    throw new IOException("the download ended");
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(data, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length) {
                    flush();
                }
            }
        }

        @Override
        public void flush() {
            if (filled > 0) {
                offer(java.util.Arrays.copyOf(buffer, filled));
                filled = 0;
            }
        }

        @Override
        public void close() {
            flush();
        }
    }

    /**
     * The end is the queue's head, never taken: HTTP's chunked writer asks this before each read,
     * and a read that finds nothing waits for the producer's next wake-up (queued on the event loop,
     * so none is lost between a read and this question).
     */
    @Override
    public boolean isEndOfInput() throws IOException {
        if (failure != null) {
            throw new IOException("archiving the volume: " + failure.getMessage(), failure);
        }
        return chunks.peek() == END;
    }

    @Override
    public void close() {
        closed = true;
        chunks.clear();
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator alloc) throws IOException {
        byte[] chunk = chunks.peek();
        if (chunk == null || chunk == END) {
            return null;
        }
        chunks.poll();
        return counted(Unpooled.wrappedBuffer(chunk));
    }
}
