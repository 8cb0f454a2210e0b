package dev.ferry.uploader.server;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.format.ImageFormat;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.sink.DiskTarget;
import dev.ferry.worker.clone.CloneStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The upload server's converter in clone mode: reads a {@link CloneStream} and writes each data
 * extent at its offset into the target — a sparse file or a block device — zeroing the gaps (a
 * hole stays a hole in a file; a device's old blocks are cleared), then sizes and syncs the disk.
 * A filesystem target grows to the size the DataVolume asked for when that is larger, as CDI's
 * upload server resizes a cloned image.
 */
final class CloneReceiver implements UploadSession.Converter {
    private static final int STEP = 1 << 20;
    private final Destination destination;
    private final ImportOptions options;

    CloneReceiver(Destination destination, ImportOptions options) {
        this.destination = destination;
        this.options = options;
    }

    @Override
    public ImportResult convert(UploadedImage image, TransferProgress progress) throws IOException {
        long started = System.nanoTime();
        ReadableByteChannel in = image.open();
        ByteBuffer header = read(in, CloneStream.HEADER, progress);
        CloneStream.Header head;
        try {
            head = CloneStream.Header.decode(header);
        } catch (IllegalArgumentException e) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, e.getMessage());
        }
        long size = Math.max(head.size(), options.requestedSize());
        progress.diskTotal(size);
        try (DiskTarget target = destination.open(-1, false)) {
            if (head.size() > target.capacity()) {
                throw new DiskException(DiskException.Reason.TARGET_TOO_SMALL, "the source volume is " + head.size()
                        + " bytes, the target " + target.describe() + " holds " + target.capacity());
            }
            target.prepare(head.size());
            ByteBuffer data = ByteBuffer.allocateDirect(STEP);
            long end = 0;
            for (long i = 0; i < head.extents(); i++) {
                CloneStream.Frame frame;
                try {
                    frame = CloneStream.Frame.decode(read(in, CloneStream.FRAME, progress), end, head.size());
                } catch (IllegalArgumentException e) {
                    throw new DiskException(DiskException.Reason.INVALID_IMAGE, e.getMessage());
                }
                target.writeZeros(end, frame.offset() - end);
                progress.written(frame.offset() - end);
                for (long at = frame.offset(); at < frame.offset() + frame.length(); at += data.limit()) {
                    data.clear().limit((int) Math.min(STEP, frame.offset() + frame.length() - at));
                    fill(in, data, progress);
                    target.writeData(at, data.flip());
                    progress.written(data.limit());
                }
                end = frame.offset() + frame.length();
            }
            target.writeZeros(end, head.size() - end);
            progress.written(head.size() - end);
            target.finish(head.block() || destination.isBlockDevice() ? head.size() : size);
        }
        return new ImportResult(ImageFormat.RAW, null, head.size(), size, progress.sourceBytes(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private static ByteBuffer read(ReadableByteChannel in, int bytes, TransferProgress progress) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        fill(in, buffer, progress);
        return buffer.flip();
    }

    private static void fill(ReadableByteChannel in, ByteBuffer buffer, TransferProgress progress) throws IOException {
        while (buffer.hasRemaining()) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new DiskException(DiskException.Reason.INVALID_IMAGE, "the clone stream ended early");
            }
            progress.read(n);
        }
    }
}
