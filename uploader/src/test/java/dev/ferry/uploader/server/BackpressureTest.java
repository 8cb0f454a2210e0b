package dev.ferry.uploader.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.format.ImageFormat;
import dev.ferry.uploader.client.UploadClient;
import dev.ferry.uploader.proxy.UploadProxy;
import dev.ferry.uploader.proxy.UploadProxyConfig;
import dev.ferry.uploader.proxy.UploadServerTable;
import dev.ferry.uploader.testing.NoLeaks;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 4 GiB through client → proxy → server into a sink slower than the network: the proxy's
 * buffers and the server's pipe stay bounded, because each side stops reading when the next
 * one is full.
 */
@ExtendWith(NoLeaks.class)
class BackpressureTest {
    private static final long SIZE = 4L << 30;
    /** The sink's speed: slower than loopback, fast enough for CI. */
    private static final long SINK_BYTES_PER_SECOND = 384L << 20;

    @TempDir
    Path dir;

    @Test
    void aSlowDiskDoesNotMakeTheProxyOrServerBuffer() throws Exception {
        Path image = dir.resolve("big.raw");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(SIZE);
        }
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        AtomicLong sunk = new AtomicLong();
        AtomicLong pipePeak = new AtomicLong();
        UploadServerTable table = new UploadServerTable();
        try (UploadServer server = new UploadServer(UploadServerConfig.loopback(dir.resolve("unused"),
                ImportOptions.defaults()), (upload, progress) -> throttledSink(upload, sunk, pipePeak));
             UploadProxy proxy = UploadProxy.start(new UploadProxyConfig("127.0.0.1", 0,
                     new TokenVerifier(keys.getPublic(), Clock.systemUTC()), table, null, null, Duration.ofSeconds(5)))) {
            table.register("ns", "big", new InetSocketAddress("127.0.0.1", server.port()));
            AtomicLong proxyPeak = new AtomicLong();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> proxyPeak.accumulateAndGet(proxy.bufferedBytes(), Math::max),
                    0, 20, TimeUnit.MILLISECONDS);
            try {
                new UploadClient(URI.create("http://127.0.0.1:" + proxy.port()),
                        () -> new TokenIssuer(keys.getPrivate()).issue("ns", "big"), "ns/big", null, false, 0,
                        Duration.ofSeconds(10)).upload(image, offset -> { });
            } finally {
                sampler.shutdownNow();
            }
            System.out.printf("backpressure: proxy peak %d KiB, server pipe peak %d KiB%n", proxyPeak.get() >> 10,
                    pipePeak.get() >> 10);
            assertThat(sunk.get()).isEqualTo(SIZE);
            assertThat(proxyPeak.get()).as("bytes held by the proxy's buffers at peak").isLessThan(8L << 20);
            assertThat(pipePeak.get()).as("bytes waiting in the server for the disk at peak")
                    .isLessThanOrEqualTo(UploadServer.PIPE_BYTES + (1 << 20));
        }
    }

    /** Reads the upload no faster than {@link #SINK_BYTES_PER_SECOND}, recording how much waited in the pipe. */
    private static ImportResult throttledSink(UploadedImage upload, AtomicLong sunk, AtomicLong pipePeak)
            throws java.io.IOException {
        ReadableByteChannel in = upload.open();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long started = System.nanoTime();
        while (in.read(buffer.clear()) >= 0) {
            pipePeak.accumulateAndGet(((BytePipe) in).buffered(), Math::max);
            long total = sunk.addAndGet(buffer.position());
            long due = started + total * 1_000_000_000L / SINK_BYTES_PER_SECOND;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
        return new ImportResult(ImageFormat.RAW, null, sunk.get(), sunk.get(), sunk.get(), 0);
    }
}
