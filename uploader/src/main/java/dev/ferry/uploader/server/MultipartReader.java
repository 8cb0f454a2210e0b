package dev.ferry.uploader.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A streaming {@code multipart/form-data} reader for {@code upload-form}: passes on the bytes of
 * the file part (the first part with a {@code filename}, or named {@code file}, as CDI's form
 * expects) as they arrive, never holding more than one network read plus a delimiter's length.
 * Part headers are capped at 16 KiB.
 */
final class MultipartReader implements AutoCloseable {
    static final int MAX_HEADERS = 16 * 1024;

    private enum State { PREAMBLE, HEADERS, BODY, AFTER_DELIMITER, DONE }

    private final ByteBuf firstDelimiter;
    private final ByteBuf delimiter;
    private final ByteBufAllocator alloc;
    private ByteBuf carry = Unpooled.EMPTY_BUFFER;
    private State state = State.PREAMBLE;
    private boolean inFile;
    private boolean fileSeen;
    private long preambleBytes;

    MultipartReader(String boundary, ByteBufAllocator alloc) {
        this.firstDelimiter = Unpooled.copiedBuffer("--" + boundary, StandardCharsets.ISO_8859_1);
        this.delimiter = Unpooled.copiedBuffer("\r\n--" + boundary, StandardCharsets.ISO_8859_1);
        this.alloc = alloc;
    }

    /** The boundary of a {@code multipart/form-data} Content-Type, or null. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = p.substring(9).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() || value.length() > 70 ? null : value;
            }
        }
        return null;
    }

    /** Reads {@code in} (not released here); file bytes go to {@code file}, which owns them. */
    void feed(ByteBuf in, Consumer<ByteBuf> file) {
        ByteBuf work = alloc.buffer(carry.readableBytes() + in.readableBytes());
        try {
            work.writeBytes(carry).writeBytes(in, in.readerIndex(), in.readableBytes());
            carry.release();
            carry = Unpooled.EMPTY_BUFFER;
            while (step(work, file)) {
                // each step consumes what it can
            }
            if (state != State.DONE && work.isReadable()) {
                carry = work.copy();
            }
        } finally {
            work.release();
        }
    }

    /** True when the upload's whole form, with its closing delimiter, was read and it held a file. */
    boolean complete() {
        return state == State.DONE && fileSeen;
    }

    private boolean step(ByteBuf work, Consumer<ByteBuf> file) {
        return switch (state) {
            case PREAMBLE -> preamble(work);
            case HEADERS -> headers(work);
            case BODY -> body(work, file);
            case AFTER_DELIMITER -> afterDelimiter(work);
            case DONE -> {
                work.skipBytes(work.readableBytes());
                yield false;
            }
        };
    }

    private boolean preamble(ByteBuf work) {
        int at = ByteBufUtil.indexOf(firstDelimiter, work);
        if (at < 0) {
            int keep = Math.min(work.readableBytes(), firstDelimiter.readableBytes() - 1);
            preambleBytes += work.readableBytes() - keep;
            work.skipBytes(work.readableBytes() - keep);
            if (preambleBytes > MAX_HEADERS) {
                throw new IllegalArgumentException("no multipart boundary in the first " + MAX_HEADERS + " bytes");
            }
            return false;
        }
        work.readerIndex(at + firstDelimiter.readableBytes());
        state = State.AFTER_DELIMITER;
        return true;
    }

    private boolean afterDelimiter(ByteBuf work) {
        if (work.readableBytes() < 2) {
            return false;
        }
        if (work.getByte(work.readerIndex()) == '-' && work.getByte(work.readerIndex() + 1) == '-') {
            state = State.DONE;
            inFile = false;
            return true;
        }
        int eol = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(new byte[] {'\r', '\n'}), work);
        if (eol < 0) {
            return false;
        }
        work.readerIndex(eol + 2);
        state = State.HEADERS;
        return true;
    }

    private boolean headers(ByteBuf work) {
        int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(new byte[] {'\r', '\n', '\r', '\n'}), work);
        if (end < 0) {
            if (work.readableBytes() > MAX_HEADERS) {
                throw new IllegalArgumentException("multipart part headers longer than " + MAX_HEADERS + " bytes");
            }
            return false;
        }
        String headers = work.toString(work.readerIndex(), end - work.readerIndex(), StandardCharsets.ISO_8859_1);
        work.readerIndex(end + 4);
        inFile = !fileSeen && isFilePart(headers);
        fileSeen |= inFile;
        state = State.BODY;
        return true;
    }

    private static boolean isFilePart(String headers) {
        for (String line : headers.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-disposition:")
                    && (lower.contains("filename=") || lower.matches(".*\\bname=\"?file\"?(;.*|\\s*)$"))) {
                return true;
            }
        }
        return false;
    }

    private boolean body(ByteBuf work, Consumer<ByteBuf> file) {
        int at = ByteBufUtil.indexOf(delimiter, work);
        int take = at >= 0 ? at - work.readerIndex()
                : Math.max(0, work.readableBytes() - (delimiter.readableBytes() - 1));
        if (take > 0) {
            ByteBuf part = work.readRetainedSlice(take);
            if (inFile) {
                file.accept(part);
            } else {
                part.release();
            }
        }
        if (at < 0) {
            return false;
        }
        work.skipBytes(delimiter.readableBytes());
        state = State.AFTER_DELIMITER;
        return true;
    }

    @Override
    public void close() {
        carry.release();
        carry = Unpooled.EMPTY_BUFFER;
    }
}
