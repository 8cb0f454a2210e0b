package dev.ferry.disk.qcow2;

import static dev.ferry.disk.DiskException.invalid;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.TaskPool;
import dev.ferry.disk.sink.SparseWriter;
import dev.ferry.disk.source.Block;
import dev.ferry.disk.source.RandomAccessInput;
import dev.ferry.disk.source.ReadAhead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Converts a qcow2 image to raw in one sequential pass over the file, without scratch space.
 *
 * <p>The file is read front to back. The header names the L1 table; as L1 entries pass, the
 * L2 tables they point to are awaited; as L2 tables pass, their data clusters are awaited and
 * written to the guest offsets they map as they go by. Compressed clusters are inflated on a
 * worker pool. Bytes passed before anything claimed them (data whose L2 table comes later,
 * as in resized images) are replayed from an {@link OrphanStore}: re-read from a random-access
 * source, or kept — bounded — for a pure stream. Reading stops once every table and cluster has
 * been seen.
 */
public final class Qcow2Converter {
    private static final long COMPRESSED = 1L << 62;
    private static final long ZERO_FLAG = 1L;
    private static final int MAX_DATA_SPAN = 8 << 20;
    private static final int SECTOR = 512;
    private static final int MAX_BATCH_BYTES = 1 << 20;
    /** One inflate buffer per worker thread, direct so the write needs no copy. */
    private static final ThreadLocal<ByteBuffer> CLUSTER_BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

    private final Qcow2Header header;
    private final SparseWriter out;
    private final OrphanStore store;
    private final TaskPool pool;
    private final long sourceSize;
    private final int clusterSize;
    private final PriorityQueue<Span> tables = new PriorityQueue<>(Span.BY_START);
    private final PriorityQueue<Span> clusters = new PriorityQueue<>(Span.BY_START);
    private final Map<Long, Long> l2Owners = new HashMap<>();
    private final List<long[]> covered = new ArrayList<>();
    private long passed;
    private boolean l1Done;
    private int pendingL2;

    private Qcow2Converter(Qcow2Header header, SparseWriter out, OrphanStore store, TaskPool pool, long sourceSize) {
        this.header = header;
        this.out = out;
        this.store = store;
        this.pool = pool;
        this.sourceSize = sourceSize;
        this.clusterSize = header.clusterSize();
    }

    /** A converter for a source that can re-read passed bytes (local file, ranged HTTP/S3). */
    public static Qcow2Converter randomAccess(Qcow2Header header, SparseWriter out, TaskPool pool,
            RandomAccessInput input) {
        return new Qcow2Converter(header, out, new RereadStore(input), pool, input.size());
    }

    /**
     * A converter for a one-pass stream of unknown length (decompressed, or a server without
     * ranges). Unclaimed bytes are kept in memory up to {@code memoryBudget}, then spilled to
     * a temporary file in {@code spillDirectory}.
     */
    public static Qcow2Converter stream(Qcow2Header header, SparseWriter out, TaskPool pool, long memoryBudget,
            Path spillDirectory) {
        long cap = header.virtualSize() + (256L << 20);
        return new Qcow2Converter(header, out, new SpillStore(memoryBudget, cap, spillDirectory), pool, -1);
    }

    /**
     * Runs the conversion over the blocks of {@code reader}, which must start at offset 0.
     * Returns when every mapped cluster was handed to the writer or the pool; the caller
     * awaits the pool. Unread trailing bytes are left in the reader.
     */
    public void convert(ReadAhead reader) throws IOException {
        try (OrphanStore ignored = store) {
            awaitHeaderAndL1();
            Block block;
            while (!finished() && (block = reader.next()) != null) {
                try {
                    process(block);
                } finally {
                    reader.release(block);
                }
                pool.rethrow();
            }
            if (!finished()) {
                endOfImage();
            }
        }
    }

    private void awaitHeaderAndL1() throws IOException {
        tables.add(new SkipSpan(0, clusterSize));
        long l1Bytes = header.neededL1Entries() * 8;
        if (l1Bytes == 0) {
            l1Done = true;
        } else {
            register(tables, new L1Span(header.l1Offset(), header.l1Offset() + l1Bytes));
        }
    }

    private boolean finished() {
        return l1Done && pendingL2 == 0 && clusters.isEmpty();
    }

    private void process(Block block) throws IOException {
        covered.clear();
        drain(tables, block);
        drain(clusters, block);
        if (store.wantsOrphans()) {
            keepOrphans(block);
        }
        passed = block.end();
        if (l1Done && pendingL2 == 0 && store.wantsOrphans()) {
            store.release();
        }
    }

    private void drain(PriorityQueue<Span> queue, Block block) throws IOException {
        List<Span> carry = new ArrayList<>();
        Span span;
        while ((span = queue.peek()) != null && span.start < block.end()) {
            queue.poll();
            long from = Math.max(span.next(), block.offset());
            long to = Math.min(span.end, block.end());
            if (from < to) {
                span.offer(block.data().slice((int) (from - block.offset()), (int) (to - from)));
                covered.add(new long[] {from, to});
            }
            if (!span.complete()) {
                carry.add(span);
            }
        }
        queue.addAll(carry);
    }

    private void keepOrphans(Block block) throws IOException {
        covered.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = block.offset();
        for (long[] range : covered) {
            if (range[0] > at) {
                store.keep(at, block.data().slice((int) (at - block.offset()), (int) (range[0] - at)));
            }
            at = Math.max(at, range[1]);
        }
        if (at < block.end()) {
            store.keep(at, block.data().slice((int) (at - block.offset()), (int) (block.end() - at)));
        }
    }

    /** Queues a span, first replaying whatever part of it the stream has already passed. */
    private void register(PriorityQueue<Span> queue, Span span) throws IOException {
        if (span.start < passed) {
            store.replay(span.start, Math.min(span.end, passed), (offset, bytes) -> span.offer(bytes));
        }
        if (!span.complete()) {
            queue.add(span);
        }
    }

    private void endOfImage() throws IOException {
        String size = passed + "-byte image (truncated?)";
        if (!l1Done) {
            throw invalid("qcow2: L1 table at offset 0x%x lies past the end of the %s", header.l1Offset(), size);
        }
        for (Span span : tables) {
            if (span instanceof L2Span) {
                throw invalid("qcow2: L2 table at offset 0x%x lies past the end of the %s", span.start, size);
            }
        }
        Span span;
        while ((span = clusters.poll()) != null) {
            if (span.next() == span.start) {
                throw invalid("qcow2: cluster at host offset 0x%x lies past the end of the %s", span.start, size);
            }
            span.offer(ByteBuffer.allocate((int) (span.end - span.next())));
        }
    }

    private void checkHostOffset(String what, long offset, long guest) throws DiskException {
        if (offset < clusterSize) {
            throw invalid("qcow2: %s for guest offset 0x%x at host offset 0x%x overlaps the header", what, guest, offset);
        }
        if (sourceSize >= 0 && offset >= sourceSize) {
            throw invalid("qcow2: %s for guest offset 0x%x at host offset 0x%x lies past the end of the %d-byte image"
                    + " (truncated?)", what, guest, offset, sourceSize);
        }
    }

    /** The active L1 table, read entry by entry as it streams past. */
    private final class L1Span extends Span {
        private final byte[] partial = new byte[8];
        private int partialLength;
        private long index;

        L1Span(long start, long end) {
            super(start, end);
        }

        @Override
        void accept(long at, ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                int n = Math.min(8 - partialLength, bytes.remaining());
                bytes.get(partial, partialLength, n);
                partialLength += n;
                if (partialLength == 8) {
                    partialLength = 0;
                    entry(index++, ByteBuffer.wrap(partial).getLong());
                }
            }
        }

        private void entry(long l1Index, long entry) throws IOException {
            long guest = l1Index * header.l2Coverage();
            long l2Offset = entry & Qcow2Header.OFFSET_MASK;
            if (l2Offset == 0) {
                out.zero(guest, Math.min(header.l2Coverage(), header.virtualSize() - guest));
                return;
            }
            if ((l2Offset & (clusterSize - 1)) != 0) {
                throw invalid("qcow2: L1 entry %d points to unaligned L2 table offset 0x%x", l1Index, l2Offset);
            }
            checkHostOffset("L2 table", l2Offset, guest);
            if (sourceSize >= 0 && l2Offset + clusterSize > sourceSize) {
                throw invalid("qcow2: L2 table at offset 0x%x lies past the end of the %d-byte image (truncated?)",
                        l2Offset, sourceSize);
            }
            Long previous = l2Owners.putIfAbsent(l2Offset, l1Index);
            if (previous != null) {
                throw invalid("qcow2: L2 table at offset 0x%x is used by L1 entries %d and %d (corrupt image)",
                        l2Offset, previous, l1Index);
            }
            pendingL2++;
            register(tables, new L2Span(l2Offset, l1Index));
        }

        @Override
        void completed() {
            l1Done = true;
        }
    }

    /** One L2 table: buffered whole (one cluster), then mapped entry by entry. */
    private final class L2Span extends Span {
        private final long l1Index;
        private byte[] table;

        L2Span(long offset, long l1Index) {
            super(offset, offset + clusterSize);
            this.l1Index = l1Index;
        }

        @Override
        void accept(long at, ByteBuffer bytes) {
            if (table == null) {
                table = new byte[clusterSize];
            }
            bytes.get(table, (int) (at - start), bytes.remaining());
        }

        @Override
        void completed() throws IOException {
            pendingL2--;
            new L2Mapping(ByteBuffer.wrap(table), l1Index * header.l2Coverage()).map();
            table = null;
        }
    }

    /** Turns one L2 table into zero runs and awaited cluster spans, coalescing neighbours. */
    private final class L2Mapping {
        private final ByteBuffer table;
        private final long base;
        private long zeroStart = -1;
        private long zeroLength;
        private long dataHost = -1;
        private long dataGuest;
        private long dataLength;
        private CompressedBatch batch;

        L2Mapping(ByteBuffer table, long base) {
            this.table = table;
            this.base = base;
        }

        void map() throws IOException {
            int entryBytes = header.l2EntryBytes();
            for (int i = 0; i < header.l2Entries(); i++) {
                long guest = base + ((long) i << header.clusterBits());
                if (guest >= header.virtualSize()) {
                    break;
                }
                int length = (int) Math.min(clusterSize, header.virtualSize() - guest);
                long entry = table.getLong(i * entryBytes);
                long bitmap = header.extendedL2() ? table.getLong(i * entryBytes + 8) : 0;
                if ((entry & COMPRESSED) != 0) {
                    compressed(entry, bitmap, guest, length);
                } else if (header.extendedL2()) {
                    subclusters(entry & Qcow2Header.OFFSET_MASK, bitmap, guest, length);
                } else {
                    standard(entry, guest, length);
                }
            }
            flushData();
            flushZero();
            flushBatch();
        }

        private void standard(long entry, long guest, int length) throws IOException {
            long host = entry & Qcow2Header.OFFSET_MASK;
            boolean zero = header.version() == 3 && (entry & ZERO_FLAG) != 0;
            if (zero || host == 0) {
                zero(guest, length);
            } else {
                checkData(host, guest);
                data(host, guest, length);
            }
        }

        private void subclusters(long host, long bitmap, long guest, int length) throws IOException {
            int allocated = (int) bitmap;
            int zeroes = (int) (bitmap >>> 32);
            if ((allocated & zeroes) != 0) {
                throw invalid("qcow2: subcluster bitmap 0x%016x for guest offset 0x%x marks subclusters both"
                        + " allocated and zero", bitmap, guest);
            }
            if (allocated != 0) {
                if (host == 0) {
                    throw invalid("qcow2: guest offset 0x%x has allocated subclusters but no host cluster", guest);
                }
                checkData(host, guest);
            }
            int sub = header.subclusterSize();
            for (int s = 0; s < 32 && (long) s * sub < length; s++) {
                int subLength = Math.min(sub, length - s * sub);
                if ((allocated & (1 << s)) != 0) {
                    data(host + (long) s * sub, guest + (long) s * sub, subLength);
                } else {
                    zero(guest + (long) s * sub, subLength);
                }
            }
        }

        private void compressed(long entry, long bitmap, long guest, int length) throws IOException {
            if (bitmap != 0) {
                throw invalid("qcow2: compressed cluster for guest offset 0x%x has a non-zero subcluster bitmap", guest);
            }
            int shift = 62 - (header.clusterBits() - 8);
            long offset = entry & ((1L << shift) - 1);
            int sectors = (int) ((entry >>> shift) & ((1L << (header.clusterBits() - 8)) - 1)) + 1;
            int size = sectors * SECTOR - (int) (offset & (SECTOR - 1));
            checkHostOffset("compressed cluster", offset, guest);
            flushData();
            if (batch == null || !batch.accepts(guest)) {
                flushBatch();
                batch = new CompressedBatch(guest);
            }
            register(clusters, batch.add(offset, offset + size, length));
        }

        private void flushBatch() throws IOException {
            if (batch != null) {
                batch.seal();
                batch = null;
            }
        }

        private void checkData(long host, long guest) throws DiskException {
            if ((host & (clusterSize - 1)) != 0) {
                throw invalid("qcow2: data cluster for guest offset 0x%x has unaligned host offset 0x%x", guest, host);
            }
            checkHostOffset("data cluster", host, guest);
        }

        private void zero(long guest, long length) throws IOException {
            flushBatch();
            if (zeroStart >= 0 && zeroStart + zeroLength == guest) {
                zeroLength += length;
                return;
            }
            flushZero();
            zeroStart = guest;
            zeroLength = length;
        }

        private void data(long host, long guest, int length) throws IOException {
            flushBatch();
            if (dataHost >= 0 && dataHost + dataLength == host && dataGuest + dataLength == guest
                    && dataLength + length <= MAX_DATA_SPAN) {
                dataLength += length;
                return;
            }
            flushData();
            dataHost = host;
            dataGuest = guest;
            dataLength = length;
        }

        private void flushZero() throws IOException {
            if (zeroStart >= 0) {
                out.zero(zeroStart, zeroLength);
                zeroStart = -1;
            }
        }

        private void flushData() throws IOException {
            if (dataHost >= 0) {
                register(clusters, new DataSpan(dataHost, dataHost + dataLength, dataGuest));
                dataHost = -1;
            }
        }
    }

    /** Uncompressed clusters: written straight through to their guest offsets as they pass. */
    private final class DataSpan extends Span {
        private final long guest;

        DataSpan(long start, long end, long guest) {
            super(start, end);
            this.guest = guest;
        }

        @Override
        void accept(long at, ByteBuffer bytes) throws IOException {
            out.write(guest + (at - start), bytes);
        }

        @Override
        void completed() {
            // written as it arrived
        }
    }

    /**
     * Compressed clusters with consecutive guest offsets, inflated together on the worker pool
     * into one buffer and written with one call: small concurrent writes contend on the file.
     */
    private final class CompressedBatch {
        private final long guest;
        private final List<CompressedSpan> spans = new ArrayList<>();
        private int length;
        private int arrived;
        private boolean sealed;

        CompressedBatch(long guest) {
            this.guest = guest;
        }

        boolean accepts(long next) {
            return next == guest + length && length + clusterSize <= MAX_BATCH_BYTES;
        }

        CompressedSpan add(long start, long end, int clusterLength) {
            CompressedSpan span = new CompressedSpan(start, end, this);
            spans.add(span);
            length += clusterLength;
            return span;
        }

        void arrived() throws IOException {
            arrived++;
            submitIfReady();
        }

        void seal() throws IOException {
            sealed = true;
            submitIfReady();
        }

        private void submitIfReady() throws IOException {
            if (!sealed || arrived < spans.size()) {
                return;
            }
            pool.submit(() -> {
                ByteBuffer buffer = CLUSTER_BUFFERS.get();
                if (buffer.capacity() < spans.size() * clusterSize) {
                    buffer = ByteBuffer.allocateDirect(Math.max(MAX_BATCH_BYTES, clusterSize));
                    CLUSTER_BUFFERS.set(buffer);
                }
                for (int i = 0; i < spans.size(); i++) {
                    CompressedSpan span = spans.get(i);
                    ByteBuffer cluster = buffer.clear().position(i * clusterSize).limit((i + 1) * clusterSize).slice();
                    ClusterInflater.inflate(header.compressionType(), span.compressed, span.compressed.length,
                            cluster, span.start);
                    span.compressed = null;
                }
                out.write(guest, buffer.clear().limit(length));
            });
        }
    }

    /** One compressed cluster's bytes, collected as they pass, for its batch. */
    private static final class CompressedSpan extends Span {
        private final CompressedBatch batch;
        private byte[] compressed;

        CompressedSpan(long start, long end, CompressedBatch batch) {
            super(start, end);
            this.batch = batch;
        }

        @Override
        void accept(long at, ByteBuffer bytes) {
            if (compressed == null) {
                compressed = new byte[(int) (end - start)];
            }
            bytes.get(compressed, (int) (at - start), bytes.remaining());
        }

        @Override
        void completed() throws IOException {
            batch.arrived();
        }
    }

    /** Bytes that are known and need nothing: the header cluster. */
    private static final class SkipSpan extends Span {
        SkipSpan(long start, long end) {
            super(start, end);
        }

        @Override
        void accept(long at, ByteBuffer bytes) {
            bytes.position(bytes.limit());
        }

        @Override
        void completed() {
            // nothing to do
        }
    }
}
