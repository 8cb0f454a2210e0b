package dev.ferry.importer.source.http;

import static dev.ferry.disk.testing.Tools.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.checksum.Checksum;
import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.TestCertificates;
import dev.ferry.disk.testing.Tools;
import dev.ferry.importer.source.SourceLocator;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.importer.testing.FaultyHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP(S) imports against a real server on loopback that injects the faults of CDI's
 * bad-webserver. Every successful import is compared bit for bit with its source image.
 */
class HttpImportTest {
    @TempDir
    static Path fixtures;
    private static Path served;
    private static Path image;
    @TempDir
    Path dir;
    private FaultyHttpServer server;
    private final List<Duration> backoffs = new ArrayList<>();

    @BeforeAll
    static void makeImages() throws IOException {
        served = Files.createDirectories(fixtures.resolve("www"));
        image = Images.random(fixtures, "image.qcow2", "cluster_size=64k", 24);
        Tools.qemuIo(image, "qcow2", "write -P 0x5a 40M 3M", "write -z 2M 1M");
        Files.copy(image, served.resolve("image.qcow2"));
        Tools.run("qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", image.toString(), served.resolve("image.raw").toString());
        Tools.run("qemu-img", "convert", "-q", "-c", "-O", "qcow2", image.toString(), served.resolve("compressed.qcow2").toString());
        Tools.run("gzip", "-k", served.resolve("image.qcow2").toString());
        Tools.run("xz", "-k", "-T2", "-0", served.resolve("image.raw").toString());
    }

    @BeforeEach
    void startServer() throws IOException {
        server = FaultyHttpServer.http(served);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"image.qcow2", "image.raw", "compressed.qcow2", "image.qcow2.gz", "image.raw.xz"})
    void everyFormatImportsBitIdentical(String name) throws IOException {
        run(name, options());
        assertIdentical(disk(), image);
    }

    @Test
    void withoutRangeSupportQcow2StreamsInOnePass() throws IOException {
        server.noRanges().wrongContentType();
        run("image.qcow2", options());
        assertIdentical(disk(), image);
        assertThat(server.gets()).as("one probe, one pass").isEqualTo(2);
        long size = Files.size(served.resolve("image.qcow2"));
        assertThat(server.bodyBytes()).as("the probe must not download the image: %d of %d bytes", server.bodyBytes(), size)
                .isLessThan(size + size / 2);
    }

    @Test
    void unavailableAnswersAreRetriedWithBackoff() throws IOException {
        server.unavailable(3);
        run("image.qcow2", options());
        assertIdentical(disk(), image);
        assertThat(backoffs).hasSize(3);
        assertThat(backoffs.get(1)).isGreaterThan(backoffs.get(0));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4242, 1_234_567, 20_000_000})
    void droppedConnectionsResumeFromTheLastByte(long seed) throws IOException {
        long offset = 1 + new java.util.Random(seed).nextLong(8 << 20);
        server.cutAfter(offset, 3);
        run("image.qcow2", options());
        assertIdentical(disk(), image);
        assertThat(backoffs).as("cut after %d bytes", offset).hasSize(3);
    }

    @Test
    void droppedConnectionWithoutRangesRestartsAndSkips() throws IOException {
        server.noRanges().cutAfter(5_000_000, 1);
        run("image.raw.xz", options());
        assertIdentical(disk(), image);
    }

    @Test
    void stalledTransferIsRetried() throws IOException {
        server.stallAfter(3_000_000, 3_000, 1);
        SourceOptions options = new SourceOptions(null, false, List.of(), null, 3, Duration.ofMillis(500), null, null);
        run("image.qcow2", options);
        assertIdentical(disk(), image);
        assertThat(backoffs).hasSize(1);
    }

    @Test
    void overstatedContentLengthIsRetried() throws IOException {
        server.overstateLength(2);
        run("image.qcow2", options());
        assertIdentical(disk(), image);
    }

    @Test
    void redirectsAreFollowed() throws IOException {
        run("redirect/image.qcow2", options());
        assertIdentical(disk(), image);
    }

    @Test
    void retriesAreBounded() {
        server.unavailable(100);
        assertThatThrownBy(() -> run("image.qcow2", new SourceOptions(null, false, List.of(), null, 2,
                Duration.ofSeconds(5), null, null)))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("failed after 3 attempts: HTTP 503")
                .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.SOURCE_UNAVAILABLE);
    }

    @Test
    void notFoundFailsAtOnce() {
        assertThatThrownBy(() -> run("missing.qcow2", options()))
                .isInstanceOf(DiskException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("/missing.qcow2");
        assertThat(server.gets()).isEqualTo(1);
        assertThat(backoffs).isEmpty();
    }

    @Test
    void basicAuthFromTheSecretDirectory() throws IOException {
        server.basicAuth("ferry", "s3cret");
        assertThatThrownBy(() -> run("image.qcow2", options()))
                .isInstanceOf(DiskException.class).hasMessageContaining("HTTP 401")
                .extracting(e -> ((DiskException) e).reason()).isEqualTo(DiskException.Reason.SOURCE_UNAUTHORIZED);

        Path secret = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(secret.resolve("accessKeyId"), "ferry\n");
        Files.writeString(secret.resolve("secretKey"), "s3cret\n");
        run("image.qcow2", new SourceOptions(null, false, List.of("X-Extra: 1"), secret, 3, Duration.ofSeconds(5), null, null));
        assertIdentical(disk(), image);
    }

    @Test
    void tlsWithACustomCa() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
        try (FaultyHttpServer https = FaultyHttpServer.https(served, certs.serverContext())) {
            String url = https.url("image.qcow2").toString();
            assertThatThrownBy(() -> runUrl(url, options()))
                    .isInstanceOf(IOException.class).hasMessageContaining("PKIX");

            runUrl(url, new SourceOptions(certs.caDirectory(), false, List.of(), null, 3, Duration.ofSeconds(5), null, null));
            assertIdentical(disk(), image);

            Files.delete(disk());
            runUrl(url, new SourceOptions(null, true, List.of(), null, 3, Duration.ofSeconds(5), null, null));
            assertIdentical(disk(), image);
        }
    }

    @Test
    void checksumMismatchFailsTheImport() {
        assertThatThrownBy(() -> importUrl(server.url("image.qcow2").toString(), options(),
                new ImportOptions(false, -1, Checksum.parse("md5:" + "0".repeat(32)), false)))
                .isInstanceOf(DiskException.class).hasMessageStartingWith("checksum mismatch");
    }

    @Test
    void imageLargerThanTheTargetFailsOnceTheHeaderIsRead() {
        assertThatThrownBy(() -> importUrl(server.url("image.qcow2").toString(), options(),
                new ImportOptions(false, 1 << 20, null, false)))
                .isInstanceOf(DiskException.class).hasMessageContaining("smaller than the image's virtual size");
        assertThat(server.gets()).as("the probe and the first ranges in flight, nothing more")
                .isLessThanOrEqualTo(1 + 8);
    }

    private SourceOptions options() {
        return new SourceOptions(null, false, List.of(), null, 5, Duration.ofSeconds(5), null, null);
    }

    private Path disk() {
        return dir.resolve("disk.img");
    }

    private void run(String name, SourceOptions options) throws IOException {
        runUrl(server.url(name).toString(), options);
    }

    private void runUrl(String url, SourceOptions options) throws IOException {
        importUrl(url, options, ImportOptions.defaults());
    }

    private ImportResult importUrl(String url, SourceOptions options, ImportOptions importOptions) throws IOException {
        try (ImageSource source = SourceLocator.open(url, options, backoffs::add)) {
            return new DiskImport(source, new Destination(disk()), importOptions, new TransferProgress()).run();
        }
    }
}
