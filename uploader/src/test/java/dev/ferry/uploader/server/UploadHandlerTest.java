package dev.ferry.uploader.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.uploader.testing.NoLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The upload handler on an EmbeddedChannel: routing, admission, resume; every buffer released. */
@ExtendWith(NoLeaks.class)
class UploadHandlerTest {
    @TempDir
    Path dir;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ByteBuf> sent = new ArrayList<>();
    private UploadSession session;
    private Path disk;

    @BeforeEach
    void setUp() {
        disk = dir.resolve("disk.img");
        Destination destination = new Destination(disk);
        session = new UploadSession((image, progress) -> new DiskImport(image, destination, ImportOptions.defaults(),
                progress).run(), threads, timer, Duration.ofMinutes(1), 64 * 1024);
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        timer.shutdownNow();
        assertThat(sent).allSatisfy(buf -> assertThat(buf.refCnt()).as("request bytes released").isZero());
    }

    @Test
    void healthUnknownPathsAndMethods() {
        assertThat(exchange(channel(), "GET /healthz HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(exchange(channel(), "PUT /v1beta1/nope HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 404");
        assertThat(exchange(channel(), "GET /v1beta1/upload HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 405");
        String head = exchange(channel(), "HEAD /v1beta1/upload-async HTTP/1.1\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 200").contains("Upload-Offset: 0").contains("X-Ferry-Upload-State: Idle");
    }

    @Test
    void rawUploadInPiecesIsWrittenThenAnswered() throws Exception {
        byte[] image = random(300_000);
        EmbeddedChannel channel = channel();
        write(channel, "PUT /v1alpha1/upload HTTP/1.1\r\nContent-Length: " + image.length + "\r\n\r\n");
        for (int at = 0; at < image.length; at += 70_000) {
            write(channel, image, at, Math.min(70_000, image.length - at));
        }
        assertThat(awaitResponse(channel)).startsWith("HTTP/1.1 200");
        assertThat(Files.readAllBytes(disk)).isEqualTo(image);
        assertThat(exchange(channel(), "PUT /v1beta1/upload HTTP/1.1\r\nContent-Length: 1\r\n\r\n"))
                .startsWith("HTTP/1.1 409");
    }

    @Test
    void droppedConnectionResumesFromTheCommittedOffset() throws Exception {
        byte[] image = random(500_000);
        EmbeddedChannel first = channel();
        write(first, "PUT /v1beta1/upload HTTP/1.1\r\nContent-Length: " + image.length + "\r\n\r\n");
        write(first, image, 0, 123_456);
        first.close();
        String head = exchange(channel(), "HEAD /v1beta1/upload HTTP/1.1\r\n\r\n");
        assertThat(head).contains("Upload-Offset: 123456").contains("X-Ferry-Upload-State: Interrupted")
                .contains("Upload-Length: 500000");

        assertThat(exchange(channel(), "PUT /v1beta1/upload HTTP/1.1\r\nContent-Range: bytes 1000-499999/500000\r\n"
                + "Content-Length: 499000\r\n\r\n")).startsWith("HTTP/1.1 416").contains("offset 123456");

        EmbeddedChannel second = channel();
        int rest = image.length - 123_456;
        write(second, "PUT /v1beta1/upload HTTP/1.1\r\nContent-Range: bytes 123456-499999/500000\r\nContent-Length: "
                + rest + "\r\n\r\n");
        write(second, image, 123_456, rest);
        assertThat(awaitResponse(second)).startsWith("HTTP/1.1 200");
        assertThat(Files.readAllBytes(disk)).isEqualTo(image);
    }

    @Test
    void aSecondUploadWhileOneIsRunningGets503() {
        EmbeddedChannel first = channel();
        write(first, "PUT /v1beta1/upload HTTP/1.1\r\nContent-Length: 1000\r\n\r\n");
        write(first, new byte[10], 0, 10);
        assertThat(exchange(channel(), "PUT /v1beta1/upload HTTP/1.1\r\nContent-Length: 5\r\n\r\n"))
                .startsWith("HTTP/1.1 503").contains("in progress (10 of 1000 bytes");
        first.close();
    }

    @Test
    void aClaimForAnotherVolumeIsForbiddenBeforeAnyByteIsWritten() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new UploadHandler(session, "ns/disk-a", null));
        String reply = exchange(channel, "PUT /v1beta1/upload HTTP/1.1\r\nX-Ferry-Upload-Target: ns/disk-b\r\n"
                + "Content-Length: 4\r\n\r\nabcd");
        assertThat(reply).startsWith("HTTP/1.1 403").contains("writes ns/disk-a, not ns/disk-b");
        assertThat(disk).doesNotExist();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void expectContinueIsAnsweredOnlyWhenTheUploadIsAdmitted() {
        EmbeddedChannel channel = channel();
        write(channel, "PUT /v1beta1/upload HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        assertThat(readAll(channel)).startsWith("HTTP/1.1 100 Continue");
        write(channel, "abcd");
        assertThat(awaitResponse(channel)).startsWith("HTTP/1.1 200");
    }

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(), new UploadHandler(session, null, null));
    }

    private void write(EmbeddedChannel channel, String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        sent.add(buf);
        channel.writeInbound(buf);
    }

    private void write(EmbeddedChannel channel, byte[] data, int offset, int length) {
        ByteBuf buf = Unpooled.copiedBuffer(data, offset, length);
        sent.add(buf);
        channel.writeInbound(buf);
    }

    private String exchange(EmbeddedChannel channel, String request) {
        write(channel, request);
        return readAll(channel);
    }

    /** Runs the channel's tasks (the conversion posts its end there) until a response is written. */
    private static String awaitResponse(EmbeddedChannel channel) {
        StringBuilder response = new StringBuilder();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            channel.runPendingTasks();
            response.append(readAll(channel));
            return response.length() > 0;
        });
        return response.toString();
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        Object out;
        while ((out = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) out;
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString().replace("\r\n", "\n");
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }
}
