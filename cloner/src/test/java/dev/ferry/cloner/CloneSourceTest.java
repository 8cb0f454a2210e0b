package dev.ferry.cloner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cloner.app.CloneSourceMainAccess;
import dev.ferry.cloner.source.CloneSource;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.testing.TestCertificates;
import dev.ferry.disk.testing.Tools;
import dev.ferry.uploader.server.UploadServer;
import dev.ferry.uploader.server.UploadServerConfig;
import dev.ferry.uploader.testing.CuttingRelay;
import dev.ferry.uploader.tls.TlsFiles;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.CloneSourceEnv;
import dev.ferry.worker.env.Reporting;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host-assisted clone between a real clone source and a real upload server in clone mode,
 * over mutual TLS made with openssl: holes are never sent, the target is bit-identical and
 * sparse, a wrong client certificate is refused before anything is written, and a connection cut
 * mid-stream resumes where the server's disk left off.
 */
class CloneSourceTest {
    private static final String CLIENT = "golden/fedora-vms/copy";
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private TestCertificates tls;
    private Path source;

    @BeforeEach
    void setUp() throws Exception {
        tls = TestCertificates.create(dir);
        source = Files.createDirectories(dir.resolve("source"));
        Random random = new Random(3);
        byte[] piece = new byte[(int) MIB];
        try (RandomAccessFile disk = new RandomAccessFile(source.resolve("disk.img").toFile(), "rw")) {
            disk.setLength(1L << 30);
            for (int i = 0; i < 32; i++) {
                random.nextBytes(piece);
                disk.seek(i * (32 * MIB) + 4096 * i);
                disk.write(piece);
            }
        }
    }

    @Test
    void theStreamCarriesOnlyTheDataAndItsFraming() throws Exception {
        try (CloneSource stream = CloneSource.open(source, false)) {
            assertThat(stream.dataBytes()).isEqualTo(32 * MIB);
            assertThat(stream.length()).as("data plus 32 bytes of header and 16 per extent").isLessThan(32 * MIB + 32 + 16 * 64);
            ByteBuffer all = ByteBuffer.allocate((int) stream.length());
            ByteBuffer piecewise = ByteBuffer.allocate((int) stream.length());
            while (all.hasRemaining() && stream.read(all, all.position()) > 0) {
                // one pass
            }
            for (long at = 0; at < stream.length(); at += 777_777) {
                piecewise.limit((int) Math.min(stream.length(), at + 777_777));
                stream.read(piecewise, at);
            }
            assertThat(piecewise.flip()).as("positional reads give the same stream at any offset").isEqualTo(all.flip());
        }
    }

    @Test
    void aCloneIsBitIdenticalSparseAndGrownToTheRequestedSize() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        try (UploadServer server = server(target, 2L << 30)) {
            assertThat(clone(server.port(), tls.client(dir, CLIENT))).isZero();
            assertThat(server.succeeded().get(30, TimeUnit.SECONDS).diskSize()).isEqualTo(2L << 30);
        }
        Path copy = target.resolve("disk.img");
        assertThat(Files.size(copy)).isEqualTo(2L << 30);
        assertThat(Tools.exec("cmp", "-n", String.valueOf(1L << 30), source.resolve("disk.img").toString(), copy.toString())
                .exitCode()).isZero();
        assertThat(Tools.allocated(copy)).as("32 MiB of data, not 2 GiB").isLessThan(40 * MIB);
        TerminationMessage result = TerminationMessage.parse(Files.readString(dir.resolve("termination-log")));
        assertThat(result.succeeded()).isTrue();
        assertThat(result.sourceBytes()).isEqualTo(32 * MIB);
    }

    @Test
    void aWrongClientCertificateIsRefusedAndNothingIsWritten() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        try (UploadServer server = server(target, -1)) {
            assertThat(clone(server.port(), tls.client(dir, "other/disk-vms/copy"))).isEqualTo(1);
        }
        TerminationMessage result = TerminationMessage.parse(Files.readString(dir.resolve("termination-log")));
        assertThat(result.reason()).isEqualTo("CloneRefused");
        assertThat(result.message()).contains("401").contains("not this clone's source");
        assertThat(target.resolve("disk.img")).doesNotExist();
    }

    @Test
    void aDroppedConnectionResumes() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        try (UploadServer server = server(target, -1); CuttingRelay relay = new CuttingRelay(server.port(), 12 * MIB)) {
            assertThat(clone(relay.port(), tls.client(dir, CLIENT))).isZero();
            assertThat(relay.hasCut()).isTrue();
        }
        assertThat(Tools.exec("cmp", source.resolve("disk.img").toString(), target.resolve("disk.img").toString()).exitCode()).isZero();
    }

    private UploadServer server(Path target, long requestedSize) throws Exception {
        return UploadServer.start(UploadServerConfig.loopback(target.resolve("disk.img"), new ImportOptions(false, requestedSize, null,
                false)).forClone(TlsFiles.mutualServer(tls.serverCertificate(), tls.serverKey(), tls.caCertificate()), CLIENT));
    }

    private int clone(int port, TestCertificates.Pair client) {
        return CloneSourceMainAccess.run(new CloneSourceEnv(source, false, "kubevirt", "https://127.0.0.1:" + port,
                client.certificate(), client.key(), tls.caCertificate(), 5, new Reporting(-1, "uid", dir.resolve("termination-log")))
                .toEnv());
    }
}
