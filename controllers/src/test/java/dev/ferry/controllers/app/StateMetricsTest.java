package dev.ferry.controllers.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeSourceRef;
import dev.ferry.api.cdi.v1beta1.DataVolumeSpec;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmiSpec;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateMetricsTest {
    @Test
    void aDataVolumeIsFilledByAnImportAnUploadOrAClone() {
        assertThat(StateMetrics.population(dv("http", null, null))).isEqualTo("import");
        DataVolume upload = dv("up", null, null);
        upload.getSpec().source.http = null;
        upload.getSpec().source.upload = new DataVolumeSource.Upload();
        assertThat(StateMetrics.population(upload)).isEqualTo("upload");
        DataVolume clone = dv("copy", null, null);
        clone.getSpec().source = null;
        clone.getSpec().sourceRef = new DataVolumeSourceRef();
        assertThat(StateMetrics.population(clone)).isEqualTo("clone");
    }

    @Test
    void onlyUnfinishedDataVolumesRestartedMoreThanThreeTimesCount() {
        List<DataVolume> dvs = List.of(dv("a", Phases.IMPORT_IN_PROGRESS, 4), dv("b", Phases.IMPORT_IN_PROGRESS, 3),
                dv("c", Phases.SUCCEEDED, 9), dv("d", Phases.FAILED, 5), dv("e", null, null));

        assertThat(StateMetrics.highRestarts(dvs, "import")).isEqualTo(2);
        assertThat(StateMetrics.highRestarts(dvs, "upload")).isZero();
    }

    @Test
    void phasesCountEveryDataVolumeAndKeepTheUsualOnesAtZero() {
        List<StateMetrics.Row> rows = StateMetrics.phases(List.of(dv("a", Phases.FAILED, null), dv("b", null, null),
                dv("c", Phases.PAUSED, null)), List.of(Phases.PENDING, Phases.SUCCEEDED));

        assertThat(rows).containsExactly(row(Map.of("phase", Phases.FAILED), 1), row(Map.of("phase", Phases.PAUSED), 1),
                row(Map.of("phase", Phases.PENDING), 1), row(Map.of("phase", Phases.SUCCEEDED), 0));
    }

    @Test
    void failuresAreCountedByTheReasonTheirConditionsGive() {
        DataVolume notFound = dv("a", Phases.FAILED, null);
        notFound.getStatus().conditions = List.of(condition("Ready", "ImportFailed"), condition("Running", "SourceNotFound"));
        DataVolume again = dv("b", Phases.FAILED, null);
        again.getStatus().conditions = List.of(condition("Running", "SourceNotFound"));
        DataVolume silent = dv("c", Phases.FAILED, null);

        assertThat(StateMetrics.failures(List.of(notFound, again, silent, dv("d", Phases.SUCCEEDED, null)))).containsExactly(
                row(Map.of("kind", "import", "reason", "SourceNotFound"), 2), row(Map.of("kind", "import", "reason", "Unknown"), 1));
    }

    @Test
    void aStorageProfileIsCompleteWhenItRecommendsAccessAndVolumeModes() {
        StorageClass local = new StorageClassBuilder().withNewMetadata().withName("local")
                .addToAnnotations(StateMetrics.VIRT_DEFAULT_CLASS, "true").endMetadata().withProvisioner("ferry.kubevirt.dev/local").build();
        StorageClass nfs = new StorageClassBuilder().withNewMetadata().withName("nfs")
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata().withProvisioner("nfs").build();
        StorageClass bare = new StorageClassBuilder().withNewMetadata().withName("bare").endMetadata().withProvisioner("x").build();
        StorageProfile localProfile = profile("local", List.of("ReadWriteMany"), "Filesystem", StorageProfile.SNAPSHOT);
        StorageProfile nfsProfile = profile("nfs", List.of(), "Filesystem", null);

        List<StateMetrics.Row> rows = StateMetrics.storageProfiles(List.of(local, nfs, bare), List.of(localProfile, nfsProfile));

        assertThat(rows).extracting(r -> r.labels().get("storageclass") + " complete=" + r.labels().get("complete") + " default="
                + r.labels().get("default") + " virtdefault=" + r.labels().get("virtdefault") + " rwx=" + r.labels().get("rwx")
                + " smartclone=" + r.labels().get("smartclone")).containsExactly(
                "local complete=true default=false virtdefault=true rwx=true smartclone=true",
                "nfs complete=false default=true virtdefault=false rwx=false smartclone=false",
                "bare complete=false default=false virtdefault=false rwx=false smartclone=false");
    }

    @Test
    void aVmiToLiveMigrateOnEvictionThatCannotMigrateIsNotEvictable() {
        VirtualMachineInstance stuck = vmi("stuck", "LiveMigrate", "False");
        VirtualMachineInstance movable = vmi("movable", "LiveMigrate", "True");
        VirtualMachineInstance stopped = vmi("stays", null, "False");

        assertThat(StateMetrics.nonEvictable(List.of(stuck, movable, stopped)))
                .containsExactly(row(Map.of("namespace", "vms", "name", "stuck", "node", "node-a"), 1));
    }

    @Test
    void migrationsAreGroupedByPhaseAndEndedOnesShowTheirVmi() {
        List<VirtualMachineInstanceMigration> migrations = List.of(migration("a", null), migration("b", "Scheduling"),
                migration("c", "PreparingTarget"), migration("d", "Running"), migration("e", "Succeeded"), migration("f", "Failed"));

        assertThat(StateMetrics.migrationsIn(migrations, "pending")).isEqualTo(1);
        assertThat(StateMetrics.migrationsIn(migrations, "scheduling")).isEqualTo(1);
        assertThat(StateMetrics.migrationsIn(migrations, "running")).isEqualTo(2);
        assertThat(StateMetrics.migrationsEnded(migrations, "Succeeded"))
                .containsExactly(row(Map.of("namespace", "vms", "vmi", "vm-e", "name", "e"), 1));
    }

    @Test
    void downtimeIsTheLastCompletedMigrationsPauseInSeconds() {
        VirtualMachineInstance moved = vmi("moved", null, "True");
        moved.getStatus().migrationState = new VmiStatus.MigrationState();
        moved.getStatus().migrationState.completed = true;
        moved.getStatus().migrationState.downtimeMillis = 25L;
        VirtualMachineInstance failed = vmi("failed", null, "True");
        failed.getStatus().migrationState = new VmiStatus.MigrationState();
        failed.getStatus().migrationState.completed = true;
        failed.getStatus().migrationState.failed = true;
        failed.getStatus().migrationState.downtimeMillis = 3L;

        assertThat(StateMetrics.migrationDowntime(List.of(moved, failed, vmi("never", null, "True"))))
                .containsExactly(row(Map.of("namespace", "vms", "vmi", "moved"), 0.025));
    }

    private static StateMetrics.Row row(Map<String, String> labels, double value) {
        return new StateMetrics.Row(labels, value);
    }

    private static DataVolume dv(String name, String phase, Integer restarts) {
        DataVolume dv = new DataVolume();
        dv.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        dv.setSpec(new DataVolumeSpec());
        dv.getSpec().source = new DataVolumeSource();
        dv.getSpec().source.http = new DataVolumeSource.Http();
        if (phase != null) {
            dv.setStatus(new DataVolumeStatus());
            dv.getStatus().phase = phase;
            dv.getStatus().restartCount = restarts;
        }
        return dv;
    }

    private static DataVolumeCondition condition(String type, String reason) {
        DataVolumeCondition c = new DataVolumeCondition();
        c.type = type;
        c.status = "False";
        c.reason = reason;
        return c;
    }

    private static StorageProfile profile(String name, List<String> accessModes, String volumeMode, String cloneStrategy) {
        StorageProfile profile = new StorageProfile();
        profile.setMetadata(new ObjectMetaBuilder().withName(name).build());
        profile.setStatus(new StorageProfile.Status());
        StorageProfile.ClaimPropertySet set = new StorageProfile.ClaimPropertySet();
        set.accessModes = accessModes;
        set.volumeMode = volumeMode;
        profile.getStatus().claimPropertySets = List.of(set);
        profile.getStatus().cloneStrategy = cloneStrategy;
        return profile;
    }

    private static VirtualMachineInstance vmi(String name, String evictionStrategy, String migratable) {
        VirtualMachineInstance vmi = new VirtualMachineInstance();
        vmi.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        vmi.setSpec(new VmiSpec());
        vmi.getSpec().evictionStrategy = evictionStrategy;
        vmi.setStatus(new VmiStatus());
        vmi.getStatus().nodeName = "node-a";
        vmi.getStatus().conditions = List.of(new VmiStatus.Condition("LiveMigratable", migratable, null, null));
        return vmi;
    }

    private static VirtualMachineInstanceMigration migration(String name, String phase) {
        VirtualMachineInstanceMigration m = new VirtualMachineInstanceMigration();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").build());
        m.setSpec(new VirtualMachineInstanceMigration.Spec());
        m.getSpec().vmiName = "vm-" + name;
        if (phase != null) {
            m.setStatus(new VirtualMachineInstanceMigration.Status());
            m.getStatus().phase = phase;
        }
        return m;
    }
}
