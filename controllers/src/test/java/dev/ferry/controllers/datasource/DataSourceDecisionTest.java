package dev.ferry.controllers.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.meta.Condition;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A DataSource's Ready condition and resolved source, with each of CDI's reasons. */
class DataSourceDecisionTest {
    private static final PersistentVolumeClaim PVC = new PersistentVolumeClaimBuilder().withNewMetadata().withName("fedora")
            .withNamespace("golden").endMetadata().build();

    private static DataSource ds(String name, String kind, String namespace, String target) {
        DataSource ds = new DataSource();
        ds.getMetadata().setName(name);
        ds.getMetadata().setNamespace("golden");
        ds.setSpec(new DataSource.Spec());
        ds.getSpec().source = new DataSource.Source();
        if (kind == null) {
            return ds;
        }
        DataVolumeSource.ObjectRef ref = new DataVolumeSource.ObjectRef();
        ref.namespace = namespace;
        ref.name = target;
        switch (kind) {
            case "pvc" -> ds.getSpec().source.pvc = ref;
            case "snapshot" -> ds.getSpec().source.snapshot = ref;
            default -> ds.getSpec().source.dataSource = ref;
        }
        return ds;
    }

    private static DataSource.Status decide(DataSource ds, Map<String, DataSource> others, PersistentVolumeClaim pvc, DataVolume dv,
            VolumeSnapshot snapshot) {
        return DataSourceDecision.decide(new DataSourceObserved(ds, DataSourceReference.resolve(ds, others::get), pvc, dv, snapshot));
    }

    private static Condition ready(DataSource.Status status) {
        return status.conditions.get(0);
    }

    @Test
    void aClaimThatExistsIsReadyAndTheStatusNamesItWithItsNamespace() {
        DataSource.Status status = decide(ds("fedora", "pvc", null, "fedora"), Map.of(), PVC, null, null);
        assertThat(ready(status).status).isEqualTo("True");
        assertThat(ready(status).reason).isEqualTo("Ready");
        assertThat(ready(status).message).isEqualTo("DataSource is ready to be consumed");
        assertThat(status.source.pvc.namespace).isEqualTo("golden");
        assertThat(status.source.pvc.name).isEqualTo("fedora");
    }

    @Test
    void aClaimStillImportingIsNotReadyWithItsDataVolumesPhase() {
        DataVolume dv = new DataVolume();
        dv.setStatus(new DataVolumeStatus());
        dv.getStatus().phase = Phases.IMPORT_IN_PROGRESS;
        DataSource.Status status = decide(ds("fedora", "pvc", null, "fedora"), Map.of(), PVC, dv, null);
        assertThat(ready(status).status).isEqualTo("False");
        assertThat(ready(status).reason).isEqualTo("ImportInProgress");
        assertThat(ready(status).message).isEqualTo("Import DataVolume phase ImportInProgress");
        assertThat(status.source).as("cleared while not ready").isNull();
        dv.getStatus().phase = Phases.SUCCEEDED;
        assertThat(ready(decide(ds("fedora", "pvc", null, "fedora"), Map.of(), PVC, dv, null)).status).isEqualTo("True");
    }

    @Test
    void missingThingsAreNotFoundAndSnapshotsMustBeReady() {
        assertThat(ready(decide(ds("fedora", "pvc", null, "fedora"), Map.of(), null, null, null)).reason).isEqualTo("NotFound");
        assertThat(ready(decide(ds("snap", "snapshot", null, "s"), Map.of(), null, null, null)).message).isEqualTo("Snapshot not found");
        VolumeSnapshot vs = new VolumeSnapshot();
        vs.setStatus(new VolumeSnapshot.Status());
        vs.getStatus().readyToUse = false;
        assertThat(ready(decide(ds("snap", "snapshot", null, "s"), Map.of(), null, null, vs)).reason).isEqualTo("SnapshotNotReady");
        vs.getStatus().readyToUse = true;
        DataSource.Status ready = decide(ds("snap", "snapshot", null, "s"), Map.of(), null, null, vs);
        assertThat(ready(ready).reason).isEqualTo("Ready");
        assertThat(ready.source.snapshot.name).isEqualTo("s");
        assertThat(ready(decide(ds("empty", null, null, null), Map.of(), null, null, null)).reason).isEqualTo("NoSource");
    }

    @Test
    void aReferenceIsFollowedOneLevelWithinItsNamespace() {
        DataSource golden = ds("golden-fedora", "pvc", null, "fedora");
        DataSource.Status followed = decide(ds("fedora-latest", "dataSource", null, "golden-fedora"), Map.of("golden-fedora", golden),
                PVC, null, null);
        assertThat(ready(followed).reason).isEqualTo("Ready");
        assertThat(followed.source.pvc.name).as("the source the referenced DataSource names").isEqualTo("fedora");

        DataSource chained = ds("chained", "dataSource", null, "golden-fedora");
        assertThat(ready(decide(ds("top", "dataSource", null, "chained"), Map.of("chained", chained), PVC, null, null)).reason)
                .isEqualTo("MaxReferenceDepthReached");
        assertThat(ready(decide(ds("me", "dataSource", null, "me"), Map.of(), null, null, null)).reason).isEqualTo("SelfReference");
        assertThat(ready(decide(ds("x", "dataSource", "elsewhere", "y"), Map.of(), null, null, null)).reason)
                .isEqualTo("CrossNamespaceReference");
        assertThat(ready(decide(ds("x", "dataSource", "golden", "gone"), Map.of(), null, null, null)).reason).isEqualTo("NotFound");
    }
}
