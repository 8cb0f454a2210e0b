package dev.ferry.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.WorkerKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's status and migration messages survive their JSON form; worker names map both ways. */
class LauncherContractTest {
    @Test
    void statusRoundTrips() throws Exception {
        LauncherStatus status = new LauncherStatus(LauncherState.MIGRATED, "tcg", "ns_vm", "qemu+unix:///system", 4000,
                "/c/console.log", MigrationReport.running("2026-12-06T10:00:00Z").succeeded("2026-12-06T10:00:01Z", 20, 700, 2400, 9),
                true, LauncherStatus.FROZEN, 42L);
        String json = LauncherApi.JSON.writeValueAsString(status);
        assertThat(json).contains("\"state\":\"Migrated\"").contains("\"phase\":\"Succeeded\"")
                .contains("\"fsFreezeStatus\":\"frozen\"");
        assertThat(LauncherApi.JSON.readValue(json, LauncherStatus.class)).isEqualTo(status);
    }

    @Test
    void migrationRequestRoundTrips() throws Exception {
        MigrationRequest request = new MigrationRequest("qemu+unix:///x", "tcp://127.0.0.1:4000", "/c", true, 50, 0, 150, 150);
        assertThat(LauncherApi.JSON.readValue(LauncherApi.JSON.writeValueAsString(request), MigrationRequest.class))
                .isEqualTo(request);
    }

    @Test
    void freezeRequestAndThawResultRoundTrip() throws Exception {
        FreezeRequest request = new FreezeRequest(300);
        assertThat(LauncherApi.JSON.readValue(LauncherApi.JSON.writeValueAsString(request), FreezeRequest.class)).isEqualTo(request);
        ThawResult thawed = new ThawResult(true, 42L);
        assertThat(LauncherApi.JSON.readValue(LauncherApi.JSON.writeValueAsString(thawed), ThawResult.class)).isEqualTo(thawed);
        assertThat(LauncherApi.JSON.readValue(LauncherApi.JSON.writeValueAsString(ThawResult.NOT_FROZEN), ThawResult.class))
                .isEqualTo(ThawResult.NOT_FROZEN);
    }

    @Test
    void workerNames() {
        for (WorkerKind kind : WorkerKind.values()) {
            assertThat(WorkerKind.fromArgs(kind.args())).isEqualTo(kind);
        }
        assertThat(WorkerKind.fromArgs(List.of("ferry", "worker", "importer"))).isEqualTo(WorkerKind.IMPORTER);
        assertThat(WorkerKind.fromArgs(List.of("nginx"))).isNull();
        assertThat(WorkerKind.named("upload-server")).isEqualTo(WorkerKind.UPLOAD_SERVER);
    }
}
