package dev.ferry.cloner.source;

import dev.ferry.disk.sparse.DataExtents;
import dev.ferry.uploader.client.Body;
import dev.ferry.worker.clone.CloneStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * A volume as a {@link CloneStream}, read by position: the header, then each data extent's frame
 * and its bytes, read from the volume when asked (holes are never read). Positional, so a dropped
 * transfer resumes at any byte offset and the stream is the same bytes each time.
 */
public final class CloneSource implements Body, AutoCloseable {
    private final FileChannel volume;
    private final ByteBuffer header;
    private final List<DataExtents.Extent> extents;
    /** Where each extent's frame starts in the stream; one more entry: the stream's length. */
    private final long[] frameStarts;
    private final long dataBytes;
    private final long size;

    private CloneSource(FileChannel volume, DataExtents.Layout layout, boolean block) {
        this.volume = volume;
        this.extents = layout.extents();
        this.size = layout.size();
        this.dataBytes = layout.dataBytes();
        this.header = new CloneStream.Header(layout.size(), extents.size(), block).encode();
        this.frameStarts = new long[extents.size() + 1];
        long at = CloneStream.HEADER;
        for (int i = 0; i < extents.size(); i++) {
            frameStarts[i] = at;
            at += CloneStream.FRAME + extents.get(i).length();
        }
        frameStarts[extents.size()] = at;
    }

    /**
     * The source of a clone: a block device, or a filesystem volume's disk image ({@code disk.img}
     * under {@code volume}).
     */
    public static CloneSource open(Path volume, boolean block) throws IOException {
        Path disk = block ? volume : volume.resolve("disk.img");
        if (!Files.exists(disk)) {
            throw new IOException("the source volume has no " + (block ? "block device " : "disk image ") + disk);
        }
        return new CloneSource(FileChannel.open(disk, StandardOpenOption.READ), DataExtents.of(disk, 0), block);
    }

    @Override
    public long length() {
        return frameStarts[extents.size()];
    }

    public long dataBytes() {
        return dataBytes;
    }

    public long size() {
        return size;
    }

    @Override
    public String contentType() {
        return CloneStream.MEDIA_TYPE;
    }

    @Override
    public int read(ByteBuffer into, long position) throws IOException {
        if (position >= length()) {
            return -1;
        }
        int start = into.position();
        while (into.hasRemaining() && position < length()) {
            int n = position < CloneStream.HEADER ? copy(header, (int) position, into) : fromExtent(into, position);
            position += n;
        }
        return into.position() - start;
    }

    /** Bytes from the extent whose frame covers {@code position}: its frame header, or its data read from the volume. */
    private int fromExtent(ByteBuffer into, long position) throws IOException {
        int i = Arrays.binarySearch(frameStarts, position);
        i = i >= 0 ? i : -i - 2;
        DataExtents.Extent extent = extents.get(i);
        long inFrame = position - frameStarts[i];
        if (inFrame < CloneStream.FRAME) {
            ByteBuffer frame = ByteBuffer.allocate(CloneStream.FRAME);
            new CloneStream.Frame(extent.offset(), extent.length()).encode(frame);
            return copy(frame.flip(), (int) inFrame, into);
        }
        long dataAt = inFrame - CloneStream.FRAME;
        int want = (int) Math.min(into.remaining(), extent.length() - dataAt);
        ByteBuffer slice = into.slice(into.position(), want);
        while (slice.hasRemaining()) {
            if (volume.read(slice, extent.offset() + dataAt + slice.position()) < 0) {
                throw new IOException("the source volume ended at " + (extent.offset() + dataAt + slice.position())
                        + ", inside a data extent: was it changed during the clone?");
            }
        }
        into.position(into.position() + want);
        return want;
    }

    private static int copy(ByteBuffer from, int at, ByteBuffer into) {
        int n = Math.min(from.limit() - at, into.remaining());
        into.put(from.slice(at, n));
        return n;
    }

    @Override
    public void close() throws IOException {
        volume.close();
    }
}
