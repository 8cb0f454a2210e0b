package dev.ferry.snapshot.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.testing.TestCertificates;
import dev.ferry.disk.testing.Tools;
import dev.ferry.worker.env.ExportServerEnv;
import dev.ferry.worker.env.Reporting;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export server as curl (the real one, trusting only the test CA) sees it: a sparse disk
 * served raw — whole, a byte range, a download resumed with {@code curl -C -} — and gzip that
 * gunzip expands to the same bytes; no token or a wrong one is refused with 401; the token also
 * works as a query parameter.
 */
class ExportServerTest {
    private static final String TOKEN = "0123456789abcdef";
    @TempDir
    Path dir;
    private TestCertificates tls;
    private ExportServer server;
    private Path disk;
    private Path files;

    @BeforeEach
    void setUp() throws Exception {
        Tools.require("curl");
        Tools.require("openssl");
        tls = TestCertificates.create(dir);
        Path volume = Files.createDirectories(dir.resolve("volume"));
        disk = volume.resolve("disk.img");
        Random random = new Random(7);
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            // 40 MiB + 4 KiB: data at the start, in the middle, across a 4 MiB piece boundary and at the very end; holes between
            file.setLength((40L << 20) + 4096);
            for (long at : new long[] {0, 9L << 20, (16L << 20) - 8192, (40L << 20) - 4096}) {
                byte[] data = new byte[at == 0 ? 3 << 20 : 12288];
                random.nextBytes(data);
                file.seek(at);
                file.write(data, 0, (int) Math.min(data.length, file.length() - at));
            }
        }
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        files = Files.createDirectories(dir.resolve("files"));
        Files.createDirectories(files.resolve("etc/conf.d"));
        Files.writeString(files.resolve("etc/conf.d/app.conf"), "port = 8080\n");
        byte[] big = new byte[3 << 20];
        random.nextBytes(big);
        Files.write(files.resolve("data.bin"), big);
        Files.createSymbolicLink(files.resolve("link"), Path.of("etc/conf.d/app.conf"));
        Files.createSymbolicLink(files.resolve("escape"), Path.of("/etc"));
        server = ExportServer.start(new ExportServerEnv("127.0.0.1", 0, tls.serverCertificate(), tls.serverKey(), token,
                Map.of("disk-a", new ExportServerEnv.Volume(volume, false), "files", new ExportServerEnv.Volume(files, true)), null,
                new Reporting(-1, "", dir.resolve("termination-log"))));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private String url(String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    private Tools.Result curl(String... args) {
        String[] command = new String[args.length + 6];
        command[0] = "curl";
        command[1] = "-sS";
        command[2] = "--cacert";
        command[3] = tls.caCertificate().toString();
        command[4] = "-w";
        command[5] = "%{http_code}";
        System.arraycopy(args, 0, command, 6, args.length);
        return Tools.exec(command);
    }

    @Test
    void servesTheDiskRawWholeInRangesAndResumed() throws Exception {
        Path whole = dir.resolve("whole.img");
        Tools.Result got = curl("-H", "x-kubevirt-export-token: " + TOKEN, "-o", whole.toString(), url("/volumes/disk-a/disk.img"));
        assertThat(got.output()).as(got.output()).endsWith("200");
        assertThat(Files.mismatch(whole, disk)).isEqualTo(-1);

        Path part = dir.resolve("part");
        got = curl("-H", "x-kubevirt-export-token: " + TOKEN, "-r", "16769024-16781311", "-o", part.toString(), url("/volumes/disk-a/disk.img"));
        assertThat(got.output()).endsWith("206");
        byte[] expected = new byte[12288];
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "r")) {
            file.seek(16769024);
            file.readFully(expected);
        }
        assertThat(Files.readAllBytes(part)).isEqualTo(expected);

        // a download cut at 5 MiB, resumed where it stopped
        Path resumed = dir.resolve("resumed.img");
        curl("-H", "x-kubevirt-export-token: " + TOKEN, "-r", "0-5242879", "-o", resumed.toString(), url("/volumes/disk-a/disk.img"));
        assertThat(Files.size(resumed)).isEqualTo(5L << 20);
        got = curl("-H", "x-kubevirt-export-token: " + TOKEN, "-C", "-", "-o", resumed.toString(), url("/volumes/disk-a/disk.img"));
        assertThat(got.output()).endsWith("206");
        assertThat(Files.mismatch(resumed, disk)).isEqualTo(-1);

        assertThat(curl("-H", "x-kubevirt-export-token: " + TOKEN, "-r", "99999999999-", "-o", "/dev/null",
                url("/volumes/disk-a/disk.img")).output()).endsWith("416");
    }

    @Test
    void servesTheDiskGzippedOnEveryCore() throws Exception {
        Path gz = dir.resolve("disk.img.gz");
        Tools.Result got = curl("-o", gz.toString(), url("/volumes/disk-a/disk.img.gz?x-kubevirt-export-token=" + TOKEN));
        assertThat(got.output()).as(got.output()).endsWith("200");
        assertThat(Files.size(gz)).as("holes compress to almost nothing").isLessThan(4L << 20);
        Path out = dir.resolve("gunzipped.img");
        Tools.run("sh", "-c", "gunzip -c '" + gz + "' > '" + out + "'");
        assertThat(Files.mismatch(out, disk)).as("gunzip reads the members as one stream").isEqualTo(-1);
        Tools.Result test = Tools.exec("gzip", "-t", gz.toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
    }

    @Test
    void servesAnArchiveVolumeAsItsFilesAndATarGzNothingOutsideIt() throws Exception {
        String auth = "x-kubevirt-export-token: " + TOKEN;
        Tools.Result listing = Tools.exec("curl", "-sS", "--cacert", tls.caCertificate().toString(), "-H", auth,
                url("/volumes/files/dir/"));
        assertThat(listing.output()).contains("<a href=\"/volumes/files/dir/data.bin\">data.bin</a>")
                .contains("<a href=\"/volumes/files/dir/etc/\">etc/</a>");
        Path got = dir.resolve("data.bin");
        assertThat(curl("-H", auth, "-o", got.toString(), url("/volumes/files/dir/data.bin")).output()).endsWith("200");
        assertThat(Files.mismatch(got, files.resolve("data.bin"))).isEqualTo(-1);
        assertThat(curl("-H", auth, "-o", "/dev/null", "--path-as-is", url("/volumes/files/dir/../volume/disk.img")).output())
                .endsWith("404");
        assertThat(curl("-H", auth, "-o", "/dev/null", url("/volumes/files/dir/escape/passwd")).output())
                .as("a link out of the volume leads nowhere").endsWith("404");

        Path tarGz = dir.resolve("files.tar.gz");
        assertThat(curl("-H", auth, "-o", tarGz.toString(), url("/volumes/files/disk.tar.gz")).output()).endsWith("200");
        Path out = Files.createDirectories(dir.resolve("untarred"));
        Tools.run("tar", "-xzf", tarGz.toString(), "-C", out.toString());
        assertThat(Files.mismatch(out.resolve("data.bin"), files.resolve("data.bin"))).isEqualTo(-1);
        assertThat(Files.readString(out.resolve("etc/conf.d/app.conf"))).isEqualTo("port = 8080\n");
        assertThat(Files.readSymbolicLink(out.resolve("link"))).isEqualTo(Path.of("etc/conf.d/app.conf"));
        assertThat(curl("-H", auth, "-o", "/dev/null", url("/volumes/disk-a/disk.tar.gz")).output()).as("a disk is no archive")
                .endsWith("404");
    }

    @Test
    void withoutTheTokenNothingIsServed() {
        Tools.Result none = curl("-o", dir.resolve("none").toString(), url("/volumes/disk-a/disk.img"));
        assertThat(none.output()).endsWith("401");
        Tools.Result wrong = curl("-H", "x-kubevirt-export-token: nope", "-o", "/dev/null", url("/volumes/disk-a/disk.img.gz"));
        assertThat(wrong.output()).endsWith("401");
        assertThat(curl("-H", "x-kubevirt-export-token: " + TOKEN, "-o", "/dev/null", url("/volumes/other/disk.img")).output())
                .endsWith("404");
        assertThat(curl("-o", "/dev/null", url("/healthz")).output()).as("the readiness probe needs no token").endsWith("200");
        assertThat(server.sentBytes()).isZero();
    }
}
