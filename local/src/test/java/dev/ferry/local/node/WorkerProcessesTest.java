package dev.ferry.local.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerProcessesTest {
    @Test
    void workersReadTheStartupCacheLocalModeWasStartedWithAndNeverTrainOne() {
        assertThat(WorkerProcesses.startupCache(List.of("-XX:+UseSerialGC", "-XX:AOTCache=/b/ferry.aot", "-Xlog:aot=off")))
                .containsExactly("-XX:AOTCache=/b/ferry.aot", "-Xlog:aot=off", "-Xlog:cds=off");
        assertThat(WorkerProcesses.startupCache(List.of("-XX:SharedArchiveFile=/b/ferry.jsa", "-XX:+AutoCreateSharedArchive")))
                .containsExactly("-XX:SharedArchiveFile=/b/ferry.jsa", "-Xlog:cds=off");
        assertThat(WorkerProcesses.startupCache(List.of("-XX:AOTCacheOutput=/b/ferry.aot", "-Xmx192m"))).isEmpty();
    }
}
