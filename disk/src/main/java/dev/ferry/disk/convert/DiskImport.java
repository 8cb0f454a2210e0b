package dev.ferry.disk.convert;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.archive.TarExtractor;
import dev.ferry.disk.compress.Decompression;
import dev.ferry.disk.format.FormatDetector;
import dev.ferry.disk.format.ImageFormat;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.qcow2.Qcow2Converter;
import dev.ferry.disk.qcow2.Qcow2Header;
import dev.ferry.disk.sink.DiskTarget;
import dev.ferry.disk.sink.SparseWriter;
import dev.ferry.disk.source.Block;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.source.MeteredChannel;
import dev.ferry.disk.source.Peek;
import dev.ferry.disk.source.ReadAhead;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.logging.Logger;

/**
 * One import, as a sequence of named phases: probe → validate → transfer → verify → resize
 * and sync → report. The disk is only reported complete after {@code fsync}; any failure
 * leaves a {@link DiskException} naming the cause.
 */
public final class DiskImport {
    private static final Logger LOG = Logger.getLogger(DiskImport.class.getName());
    private static final int BLOCK = 1 << 20;
    private static final int SMALL_BLOCK = 64 << 10;
    private static final int READ_AHEAD_DEPTH = 8;
    private static final long SPILL_MEMORY = 32L << 20;

    private final ImageSource source;
    private final ImportDestination destination;
    private final ImportOptions options;
    private final TransferProgress progress;
    private final int workers;

    public DiskImport(ImageSource source, ImportDestination destination, ImportOptions options, TransferProgress progress) {
        this.source = source;
        this.destination = destination;
        this.options = options;
        this.progress = progress;
        this.workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * A blank disk (CDI's {@code source: blank}): the requested size — or, on a Block volume, the
     * device's — all holes (or allocated with preallocation), synced.
     */
    public static ImportResult blank(Destination destination, ImportOptions options) throws IOException {
        long started = System.nanoTime();
        long size = options.requestedSize() > 0 ? options.requestedSize() : destination.existingCapacity();
        if (size <= 0) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "a blank disk needs a size");
        }
        try (DiskTarget target = destination.open(size, options.preallocate())) {
            target.prepare(size);
            target.writeZeros(0, size);
            target.finish(size);
        }
        return new ImportResult(ImageFormat.RAW, null, size, size, 0, (System.nanoTime() - started) / 1_000_000);
    }

    public ImportResult run() throws IOException {
        long started = System.nanoTime();
        progress.sourceTotal(source.size());
        MessageDigest digest = options.checksum() == null ? null : options.checksum().newDigest();
        try (MeteredChannel raw = new MeteredChannel(source.open(), progress, digest)) {
            Probe probe = probe(raw);
            ImportResult result = options.archive() ? extract(probe) : convert(probe);
            verify(raw, digest);
            return new ImportResult(result.format(), result.compression(), result.virtualSize(), result.diskSize(),
                    progress.sourceBytes(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Phase probe: the format by magic bytes, looking through one layer of compression. */
    private Probe probe(ReadableByteChannel raw) throws IOException {
        Peek outer = Peek.of(raw, FormatDetector.PROBE_BYTES);
        ImageFormat format = FormatDetector.detect(outer.head(), outer.length());
        if (format.kind() != ImageFormat.Kind.COMPRESSION) {
            return new Probe(format, null, outer);
        }
        Peek inner = Peek.of(Decompression.decode(format, outer), FormatDetector.PROBE_BYTES);
        ImageFormat innerFormat = FormatDetector.detect(inner.head(), inner.length());
        if (innerFormat.kind() == ImageFormat.Kind.COMPRESSION) {
            throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT, String.format(
                    "%s inside %s: only one layer of compression is supported", innerFormat.label(), format.label()));
        }
        return new Probe(innerFormat, format, inner);
    }

    /** The probed format, the compression around it (or null), and the channel to read it from. */
    private record Probe(ImageFormat format, ImageFormat compression, Peek channel) {
        String describe() {
            return compression == null ? format.label() : format.label() + " (" + compression.label() + ")";
        }
    }

    private ImportResult extract(Probe probe) throws IOException {
        if (probe.format() != ImageFormat.TAR) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, "contentType archive expects a tar archive, found "
                    + probe.describe());
        }
        long limit = options.requestedSize() > 0 ? options.requestedSize() : Long.MAX_VALUE;
        long bytes = new TarExtractor(destination.path(), limit).extract(Channels.newInputStream(probe.channel()));
        return new ImportResult(ImageFormat.TAR, probe.compression(), bytes, bytes, 0, 0);
    }

    private ImportResult convert(Probe probe) throws IOException {
        ImageFormat format = probe.format();
        switch (format.kind()) {
            case UNSUPPORTED -> throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT, format.label()
                    + " images are not supported yet; convert with `qemu-img convert -O qcow2 IMAGE OUT.qcow2` first");
            case ARCHIVE -> throw new DiskException(DiskException.Reason.INVALID_IMAGE,
                    "source is a tar archive; use contentType archive to extract it, or import the disk image itself");
            default -> {
                // an image: convert below
            }
        }
        boolean seekable = probe.compression() == null && source.randomAccess().isPresent();
        long fileSize = probe.compression() == null ? source.size() : -1;
        Qcow2Header header = format == ImageFormat.QCOW2
                ? Qcow2Header.parse(probe.channel().head(), probe.channel().length(), fileSize) : null;
        long virtualSize = header != null ? header.virtualSize() : fileSize;
        long diskSize = validateSize(virtualSize);
        try (DiskTarget target = destination.open(options.requestedSize(), options.preallocate());
             TaskPool pool = new TaskPool(workers, workers * 4);
             ReadAhead reader = new ReadAhead(probe.channel(), blockSize(fileSize), READ_AHEAD_DEPTH)) {
            if (diskSize >= 0) {
                target.prepare(diskSize);
            }
            long limit = virtualSize >= 0 ? virtualSize : target.capacity();
            SparseWriter out = new SparseWriter(target, limit, progress);
            progress.diskTotal(virtualSize);
            LOG.fine(() -> "converting " + probe.describe() + " from " + source.describe() + " to " + target.describe());
            long written;
            if (header != null) {
                Qcow2Converter converter = seekable
                        ? Qcow2Converter.randomAccess(header, out, pool, source.randomAccess().orElseThrow())
                        : Qcow2Converter.stream(header, out, pool, SPILL_MEMORY, destination.spillDirectory());
                converter.convert(reader);
                written = virtualSize;
            } else {
                written = copyRaw(reader, out);
            }
            pool.await();
            if (options.checksum() != null || source.requiresFullRead()) {
                drain(reader);
            }
            long finalSize = Math.max(written, Math.max(options.requestedSize(), 0));
            target.finish(finalSize);
            return new ImportResult(format, probe.compression(), written, finalSize, 0, 0);
        }
    }

    /** Read-ahead blocks of 1 MiB, or smaller for a smaller source: a 200 KiB image needs no 1 MiB buffer. */
    private static int blockSize(long sourceSize) {
        if (sourceSize < 0 || sourceSize >= BLOCK) {
            return BLOCK;
        }
        return (int) Math.max(SMALL_BLOCK, (sourceSize + SMALL_BLOCK - 1) / SMALL_BLOCK * SMALL_BLOCK);
    }

    /** Phase validate: a requested size below the image's own is an error, never a shrink. */
    private long validateSize(long virtualSize) throws DiskException {
        long requested = options.requestedSize();
        if (virtualSize >= 0 && requested > 0 && requested < virtualSize) {
            throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, String.format(
                    "requested size %s is smaller than the image's virtual size %s (%d bytes); Ferry never shrinks a disk",
                    Sizes.human(requested), Sizes.human(virtualSize), virtualSize));
        }
        if (virtualSize < 0) {
            return requested;
        }
        return Math.max(virtualSize, requested);
    }

    private static long copyRaw(ReadAhead reader, SparseWriter out) throws IOException {
        long total = 0;
        Block block;
        while ((block = reader.next()) != null) {
            try {
                out.write(block.offset(), block.data());
                total = block.end();
            } finally {
                reader.release(block);
            }
        }
        return total;
    }

    private static void drain(ReadAhead reader) throws IOException {
        Block block;
        while ((block = reader.next()) != null) {
            reader.release(block);
        }
    }

    /** Phase verify: the whole source must have been hashed, so read what the converter skipped. */
    private void verify(MeteredChannel raw, MessageDigest digest) throws IOException {
        if (digest != null) {
            raw.drain();
            options.checksum().verify(digest);
        }
    }
}
