package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer, one reader: what a worker writes is what the controller reads. */
class TerminationMessageTest {
    @TempDir
    Path dir;

    @Test
    void whatIsWrittenIsRead() throws Exception {
        TerminationMessage written = TerminationMessage.disk("qcow2", "gzip", 1 << 30, 1 << 28, 12345, "Import complete");
        written.write(dir.resolve("log"));
        TerminationMessage read = TerminationMessage.parse(Files.readString(dir.resolve("log")));
        assertThat(read).isEqualTo(written);
        assertThat(read.succeeded()).isTrue();
        assertThat(read.mayRetry()).isFalse();
    }

    @Test
    void failuresSayWhetherToRetry() {
        assertThat(TerminationMessage.parse(json(TerminationMessage.failure("SourceNotFound", false, "404"))).mayRetry()).isFalse();
        assertThat(TerminationMessage.parse(json(TerminationMessage.failure("Stalled", true, "slow"))).mayRetry()).isTrue();
        assertThat(TerminationMessage.parse("{\"outcome\":\"Failed\",\"reason\":\"X\"}").mayRetry()).isTrue();
    }

    @Test
    void theLastLineCountsAndForeignTextIsNoMessage() {
        String two = "noise\n" + json(TerminationMessage.ended("Shutdown", "bye"));
        assertThat(TerminationMessage.parse(two).reason()).isEqualTo("Shutdown");
        assertThat(TerminationMessage.parse("OOMKilled")).isNull();
        assertThat(TerminationMessage.parse("{\"unrelated\":1}")).isNull();
        assertThat(TerminationMessage.parse(null)).isNull();
    }

    @Test
    void longMessagesFitKubernetesLimit() {
        TerminationMessage m = TerminationMessage.failure("Error", true, "x".repeat(10_000));
        assertThat(json(m).length()).isLessThan(4096);
    }

    private static String json(TerminationMessage message) {
        try {
            Path file = Files.createTempFile("termination", ".json");
            message.write(file);
            String text = Files.readString(file);
            Files.delete(file);
            return text;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
