package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.disk.testing.Images;
import dev.ferry.disk.testing.Tools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ferry import} as a user runs it: exit codes and the one line of stderr on failure. */
class ImportCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    @Test
    void importsAndExitsZero() {
        Path image = Images.scattered(dir, "in.qcow2", "");
        Path out = dir.resolve("disk.img");

        int exit = run("import", "--no-progress", "--source", "file://" + image, "--dest", out.toString(), "--size", "1Gi");

        assertThat(exit).isZero();
        Tools.run("qemu-img", "resize", "-q", image.toString(), "1G");
        Tools.assertIdentical(out, image);
    }

    @Test
    void missingSourceIsOneLineAndNonZero() {
        int exit = run("import", "--source", dir.resolve("nope.qcow2").toString(), "--dest", dir.resolve("o").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("ferry: source " + dir.resolve("nope.qcow2") + " does not exist"
                + System.lineSeparator());
    }

    @Test
    void shrinkingIsRefusedWithBothSizes() {
        Path image = Images.scattered(dir, "in.qcow2", "");

        int exit = run("import", "--source", image.toString(), "--dest", dir.resolve("o.img").toString(), "--size", "1Mi");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("ferry: requested size 1 MiB is smaller than the image's virtual size 64 MiB")
                .hasLineCount(1);
        assertThat(dir.resolve("o.img")).doesNotExist();
    }

    @Test
    void hostileImageNamesTheCause() throws Exception {
        Path image = Images.scattered(dir, "in.qcow2", "");
        byte[] bytes = Files.readAllBytes(image);
        bytes[36] = (byte) 0xff;
        bytes[37] = (byte) 0xff;
        bytes[38] = (byte) 0xff;
        bytes[39] = (byte) 0xff;
        Files.write(image, bytes);

        int exit = run("import", "--source", image.toString(), "--dest", dir.resolve("o.img").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("ferry: qcow2: L1 table of 4294967295 entries exceeds what a 64 MiB"
                + " virtual disk needs (1)" + System.lineSeparator());
    }

    @Test
    void badChecksumSyntaxIsAUsageError() {
        int exit = run("import", "--source", "x", "--dest", "y", "--checksum", "sha256:xyz");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("a sha256 digest is 64 hex digits");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("import", "--bogus")).isEqualTo(2);
    }

    @Test
    void progressBarRendersRateAndEta() {
        String line = ProgressBar.render(50, 1L << 30, 2L << 30, 100 << 20, 300L << 20);
        assertThat(line).contains("50.0%").contains("1 GiB / 2 GiB").contains("100 MiB/s").contains("ETA 0:10")
                .contains("read 300 MiB");
    }

    private int run(String... args) {
        CommandLine commandLine = Ferry.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
