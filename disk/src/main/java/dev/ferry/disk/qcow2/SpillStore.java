package dev.ferry.disk.qcow2;

import static dev.ferry.disk.DiskException.invalid;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Keeps the orphans of a one-pass stream: in memory up to a budget, then in a temporary file
 * in the target's directory (deleted on close). The total kept is capped, so a hostile stream
 * cannot fill the disk.
 */
final class SpillStore implements OrphanStore {
    private static final Logger LOG = Logger.getLogger(SpillStore.class.getName());

    private final long memoryBudget;
    private final long cap;
    private final Path spillDirectory;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private long inMemory;
    private long kept;
    private FileChannel spill;
    private Path spillPath;
    private long spillEnd;
    private boolean released;

    /** A kept run of bytes: in memory ({@code bytes}) or in the spill file at {@code spillOffset}. */
    private record Segment(long offset, int length, byte[] bytes, long spillOffset) {
    }

    SpillStore(long memoryBudget, long cap, Path spillDirectory) {
        this.memoryBudget = memoryBudget;
        this.cap = cap;
        this.spillDirectory = spillDirectory;
    }

    @Override
    public boolean wantsOrphans() {
        return !released;
    }

    @Override
    public void keep(long offset, ByteBuffer data) throws IOException {
        int length = data.remaining();
        kept += length;
        if (kept > cap) {
            throw invalid("qcow2: more than %s of the stream precede the tables that map them;"
                    + " the image is not laid out for streaming (or is hostile)", Sizes.human(cap));
        }
        if (inMemory + length <= memoryBudget) {
            byte[] bytes = new byte[length];
            data.get(bytes);
            inMemory += length;
            segments.put(offset, new Segment(offset, length, bytes, -1));
            return;
        }
        if (spill == null) {
            spillPath = Files.createTempFile(spillDirectory, ".ferry-spill-", ".tmp");
            spill = FileChannel.open(spillPath, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
            LOG.info(() -> "qcow2 stream maps data after it: spilling unclaimed clusters to " + spillPath);
        }
        long at = spillEnd;
        while (data.hasRemaining()) {
            spillEnd += spill.write(data, spillEnd);
        }
        segments.put(offset, new Segment(offset, length, null, at));
    }

    @Override
    public void replay(long from, long to, Sink sink) throws IOException {
        long at = from;
        while (at < to) {
            Map.Entry<Long, Segment> entry = segments.floorEntry(at);
            Segment segment = entry == null ? null : entry.getValue();
            if (segment == null || segment.offset + segment.length <= at) {
                throw new DiskException(DiskException.Reason.INVALID_IMAGE, String.format(
                        "qcow2: bytes at offset 0x%x are mapped as data but were metadata or not kept"
                                + " (overlapping tables?)", at));
            }
            int skip = (int) (at - segment.offset);
            int n = (int) Math.min(segment.length - skip, to - at);
            ByteBuffer bytes;
            if (segment.bytes != null) {
                bytes = ByteBuffer.wrap(segment.bytes, skip, n).slice();
            } else {
                bytes = ByteBuffer.allocate(n);
                while (bytes.hasRemaining() && spill.read(bytes, segment.spillOffset + skip + bytes.position()) > 0) {
                    // fill
                }
                bytes.flip();
            }
            sink.accept(at, bytes);
            at += n;
        }
    }

    @Override
    public void release() throws IOException {
        released = true;
        segments.clear();
        inMemory = 0;
        close();
    }

    @Override
    public void close() throws IOException {
        if (spill != null) {
            spill.close();
            spill = null;
        }
    }
}
