package dev.ferry.snapshot.export;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * {@code disk.img.gz}: the disk as a gzip stream of one member per 4 MiB piece (RFC 1952 allows
 * members back to back; gunzip, Go's and Java's readers read them as one file), compressed at
 * level 1 by every core at once, in order, a few pieces ahead of the socket. A piece that is all
 * hole is never read: its member is made once per length and reused.
 */
final class GzipBody extends Body {
    static final int PIECE = 4 << 20;
    private static final ConcurrentHashMap<Integer, byte[]> ZERO_MEMBERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(1, true));
    private final DiskRegions disk;
    private final ExecutorService compressors;
    private final int ahead;
    private final Runnable resume;
    private final ArrayDeque<CompletableFuture<byte[]>> pending = new ArrayDeque<>();
    private long next;

    /**
     * {@code compressors} compress up to {@code ahead} pieces before the socket takes them;
     * {@code resume} is called when a piece the socket waits for is ready.
     */
    GzipBody(DiskRegions disk, ExecutorService compressors, int ahead, Runnable resume, java.util.function.LongConsumer sent) {
        super(sent);
        this.disk = disk;
        this.compressors = compressors;
        this.ahead = ahead;
        this.resume = resume;
    }

    private void fill() {
        while (pending.size() < ahead && next < disk.size()) {
            long offset = next;
            int length = (int) Math.min(PIECE, disk.size() - offset);
            next += length;
            pending.add(CompletableFuture.supplyAsync(() -> member(offset, length), compressors));
        }
    }

    private byte[] member(long offset, int length) {
        if (-disk.run(offset, length) == length) {
            return ZERO_MEMBERS.computeIfAbsent(length, n -> compress(new byte[n]));
        }
        byte[] piece = new byte[length];
        try {
            disk.read(offset, ByteBuffer.wrap(piece));
        } catch (IOException e) {
            throw new CompletionException(e);
        }
        return compress(piece);
    }

    /** One gzip member of {@code data}: header, raw deflate at level 1, CRC-32 and length. */
    static byte[] compress(byte[] data) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setInput(data);
        deflater.finish();
        byte[] out = new byte[10 + data.length / 4 + 64];
        out[0] = 0x1f;
        out[1] = (byte) 0x8b;
        out[2] = 8;
        out[9] = (byte) 0xff;
        int at = 10;
        while (!deflater.finished()) {
            if (at == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            at += deflater.deflate(out, at, out.length - at);
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        out = Arrays.copyOf(out, at + 8);
        writeLe(out, at, (int) crc.getValue());
        writeLe(out, at + 4, data.length);
        return out;
    }

    private static void writeLe(byte[] out, int at, int value) {
        for (int i = 0; i < 4; i++) {
            out[at + i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public boolean isEndOfInput() {
        return pending.isEmpty() && next >= disk.size();
    }

    @Override
    public void close() {
        pending.forEach(f -> f.cancel(false));
        pending.clear();
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator alloc) throws IOException {
        fill();
        CompletableFuture<byte[]> head = pending.peek();
        if (head == null) {
            return null;
        }
        if (!head.isDone()) {
            // the writer stops until this piece is ready, then resumes
            head.whenComplete((member, error) -> resume.run());
            return null;
        }
        pending.poll();
        byte[] member;
        try {
            member = head.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("compressing the disk: " + e.getCause(), e.getCause());
        }
        fill();
        return counted(Unpooled.wrappedBuffer(member));
    }
}
