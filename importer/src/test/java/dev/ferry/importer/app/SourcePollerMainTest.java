package dev.ferry.importer.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.importer.testing.ContainerDisks;
import dev.ferry.importer.testing.DockerRegistry;
import dev.ferry.worker.TerminationMessage;
import dev.ferry.worker.env.ImporterEnv;
import dev.ferry.worker.env.Reporting;
import dev.ferry.worker.env.SourcePollerEnv;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source poller against Debian's docker-registry: the digest a tag points at, a moved tag, a registry that is not there. */
class SourcePollerMainTest {
    @TempDir
    Path dir;

    @Test
    void reportsTheDigestTheTagPointsAtAndFollowsItWhenItMoves() throws Exception {
        try (DockerRegistry registry = DockerRegistry.open(Files.createDirectories(dir.resolve("r")))) {
            ObjectNode first = registry.pushImage("os/fedora", "latest", List.of(registry.pushBlob("os/fedora",
                    ContainerDisks.layer("disk.img", new byte[] {1, 2, 3}), ContainerDisks.LAYER)));
            TerminationMessage one = poll("docker://" + registry.host() + "/os/fedora:latest");
            assertThat(one.succeeded()).as(one.toJson()).isTrue();
            assertThat(one.digest()).isEqualTo(first.get("digest").asText());

            ObjectNode second = registry.pushImage("os/fedora", "latest", List.of(registry.pushBlob("os/fedora",
                    ContainerDisks.layer("disk.img", new byte[] {4, 5, 6}), ContainerDisks.LAYER)));
            assertThat(second.get("digest").asText()).isNotEqualTo(first.get("digest").asText());
            assertThat(poll("docker://" + registry.host() + "/os/fedora:latest").digest()).isEqualTo(second.get("digest").asText());

            TerminationMessage missing = poll("docker://" + registry.host() + "/os/nothing:latest");
            assertThat(missing.succeeded()).isFalse();
            assertThat(missing.reason()).isEqualTo("SourceNotFound");
            assertThat(missing.mayRetry()).isFalse();
        }
    }

    @Test
    void anUnreachableRegistryIsARetryableFailureThatSaysSo() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        TerminationMessage down = poll("docker://127.0.0.1:" + port + "/os/fedora:latest");
        assertThat(down.succeeded()).isFalse();
        assertThat(down.reason()).isEqualTo("SourceUnavailable");
        assertThat(down.mayRetry()).isTrue();
        assertThat(down.message()).contains("cannot reach the registry");
    }

    private TerminationMessage poll(String url) throws Exception {
        Path log = dir.resolve("termination-log");
        Map<String, String> env = new SourcePollerEnv(url, new ImporterEnv.SourceAccess(null, null, true, List.of(), null, null),
                new Reporting(-1, "", log)).toEnv();
        SourcePollerMain.run(env);
        return TerminationMessage.parse(Files.readString(log));
    }
}
