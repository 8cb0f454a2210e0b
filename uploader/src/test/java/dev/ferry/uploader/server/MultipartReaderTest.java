package dev.ferry.uploader.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.uploader.testing.NoLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(NoLeaks.class)
class MultipartReaderTest {
    private static final String BOUNDARY = "----ferryBoundary42";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 31, 64, 4096, 1 << 20})
    void passesOnExactlyTheFileBytesWhateverTheChunking(int chunk) {
        byte[] file = new byte[chunk < 64 ? 12_000 : 200_000];
        new Random(chunk).nextBytes(file);
        // the delimiter's first bytes inside the data must not end the part
        System.arraycopy(("\r\n--" + BOUNDARY.substring(0, 10)).getBytes(StandardCharsets.ISO_8859_1), 0, file, 5000, 14);
        byte[] form = form(file, "file", "disk.img");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MultipartReader reader = new MultipartReader(BOUNDARY, ByteBufAllocator.DEFAULT)) {
            for (int at = 0; at < form.length; at += chunk) {
                ByteBuf in = Unpooled.wrappedBuffer(form, at, Math.min(chunk, form.length - at));
                reader.feed(in, part -> {
                    byte[] bytes = new byte[part.readableBytes()];
                    part.readBytes(bytes);
                    part.release();
                    out.writeBytes(bytes);
                });
                in.release();
            }
            assertThat(reader.complete()).isTrue();
        }
        assertThat(out.toByteArray()).isEqualTo(file);
    }

    @Test
    void skipsFieldsThatAreNotTheFile() {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + new String(form("DATA".getBytes(StandardCharsets.ISO_8859_1), "file", null), StandardCharsets.ISO_8859_1)
                        .substring(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MultipartReader reader = new MultipartReader(BOUNDARY, ByteBufAllocator.DEFAULT)) {
            ByteBuf in = Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1);
            reader.feed(in, part -> {
                out.writeBytes(part.toString(StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1));
                part.release();
            });
            in.release();
            assertThat(reader.complete()).isTrue();
        }
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("DATA");
    }

    @Test
    void aFormWithoutItsClosingDelimiterIsIncomplete() {
        byte[] form = form(new byte[100], "file", "x");
        try (MultipartReader reader = new MultipartReader(BOUNDARY, ByteBufAllocator.DEFAULT)) {
            ByteBuf in = Unpooled.wrappedBuffer(form, 0, form.length - 10);
            reader.feed(in, ByteBuf::release);
            in.release();
            assertThat(reader.complete()).isFalse();
        }
    }

    @Test
    void endlessPartHeadersAreRefused() {
        byte[] headers = ("--" + BOUNDARY + "\r\nX-Junk: " + "a".repeat(MultipartReader.MAX_HEADERS + 10))
                .getBytes(StandardCharsets.ISO_8859_1);
        try (MultipartReader reader = new MultipartReader(BOUNDARY, ByteBufAllocator.DEFAULT)) {
            ByteBuf in = Unpooled.wrappedBuffer(headers);
            assertThatThrownBy(() -> reader.feed(in, ByteBuf::release)).hasMessageContaining("headers longer than");
            in.release();
        }
    }

    @Test
    void boundaryComesFromTheContentType() {
        assertThat(MultipartReader.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(MultipartReader.boundary("multipart/form-data; charset=utf-8; boundary=\"a b\"")).isEqualTo("a b");
        assertThat(MultipartReader.boundary("application/octet-stream")).isNull();
        assertThat(MultipartReader.boundary("multipart/form-data")).isNull();
    }

    static byte[] form(byte[] file, String field, String filename) {
        String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\""
                + (filename == null ? "" : "; filename=\"" + filename + "\"")
                + "\r\nContent-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + BOUNDARY + "--\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(file);
        out.writeBytes(tail.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
