package dev.ferry.controllers.clone;

import static dev.ferry.controllers.clone.CloneFixtures.GI;
import static dev.ferry.controllers.clone.CloneFixtures.claimSource;
import static dev.ferry.controllers.clone.CloneFixtures.profile;
import static dev.ferry.controllers.clone.CloneFixtures.snapshotClass;
import static dev.ferry.controllers.clone.CloneFixtures.snapshotSource;
import static dev.ferry.controllers.clone.CloneFixtures.storageClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.cdi.v1beta1.StorageProfile;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshotClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strategy a clone takes, as CDI's planner takes it, and each reason it falls back to a host-assisted copy. */
class CloneStrategyTest {
    private static final SourceVolume SOURCE = claimSource("golden-images", "fedora-39", "Filesystem", 10 * GI, List.of());
    private static final StorageClass FAST = storageClass("fast", "csi.example", true);
    private static final List<VolumeSnapshotClass> CLASSES = List.of(snapshotClass("csi-snap", "csi.example", true));

    private static CloneStrategy.Choice choose(SourceVolume source, String override, StorageClass target, StorageProfile profile,
            List<VolumeSnapshotClass> classes, String mode, long size) {
        return CloneStrategy.choose(source, override, target, profile, null, classes, mode, size);
    }

    @Test
    void withoutAProfileCdiDefaultsToASnapshotWithTheDriversDefaultClass() {
        CloneStrategy.Choice choice = choose(SOURCE, null, FAST, null, CLASSES, "Filesystem", 10 * GI);
        assertThat(choice.strategy()).isEqualTo(StorageProfile.SNAPSHOT);
        assertThat(choice.snapshotClass()).isEqualTo("csi-snap");
        assertThat(choice.fallback()).isNull();
    }

    @Test
    void theProfileChoosesCsiCloneOrCopy() {
        assertThat(choose(SOURCE, null, FAST, profile("csi-clone", null), List.of(), "Filesystem", 10 * GI).strategy())
                .as("csi-clone needs no snapshot class").isEqualTo(StorageProfile.CSI_CLONE);
        CloneStrategy.Choice copy = choose(SOURCE, null, FAST, profile("copy", null), CLASSES, "Filesystem", 10 * GI);
        assertThat(copy.strategy()).isEqualTo(StorageProfile.COPY);
        assertThat(copy.fallback()).as("asked for, not fallen back to").isNull();
    }

    @Test
    void theOverrideWinsOverTheProfile() {
        assertThat(choose(SOURCE, "copy", FAST, profile("csi-clone", null), CLASSES, "Filesystem", 10 * GI).strategy())
                .isEqualTo(StorageProfile.COPY);
    }

    @Test
    void noSnapshotClassForTheDriverFallsBack() {
        CloneStrategy.Choice choice = choose(SOURCE, null, FAST, null, List.of(snapshotClass("other", "csi.other", true)),
                "Filesystem", 10 * GI);
        assertThat(choice.strategy()).isEqualTo(StorageProfile.COPY);
        assertThat(choice.fallback()).isEqualTo(CloneStrategy.Fallback.NoVolumeSnapshotClass);
        assertThat(choice.message()).contains("csi.example", "fast");
    }

    @Test
    void anotherDriverFallsBack() {
        CloneStrategy.Choice choice = choose(SOURCE, null, storageClass("slow", "csi.other", true), profile("csi-clone", null),
                List.of(), "Filesystem", 10 * GI);
        assertThat(choice.fallback()).isEqualTo(CloneStrategy.Fallback.IncompatibleProvisioners);
        assertThat(choice.message()).contains("csi.example", "csi.other");
    }

    @Test
    void anotherVolumeModeFallsBack() {
        CloneStrategy.Choice choice = choose(SOURCE, null, FAST, profile("csi-clone", null), List.of(), "Block", 10 * GI);
        assertThat(choice.fallback()).isEqualTo(CloneStrategy.Fallback.IncompatibleVolumeModes);
        assertThat(choice.message()).contains("Filesystem", "Block");
    }

    @Test
    void aSmallerTargetWithoutExpansionFallsBack() {
        CloneStrategy.Choice choice = choose(SOURCE, null, storageClass("fixed", "csi.example", false), null, CLASSES, "Filesystem",
                5 * GI);
        assertThat(choice.fallback()).isEqualTo(CloneStrategy.Fallback.NoVolumeExpansion);
        assertThat(choice.message()).contains(String.valueOf(10 * GI), String.valueOf(5 * GI), "fixed");
        assertThat(choose(SOURCE, null, FAST, null, CLASSES, "Filesystem", 5 * GI).strategy())
                .as("a class that expands can grow the clone").isEqualTo(StorageProfile.SNAPSHOT);
    }

    @Test
    void aSnapshotSourceIsRestoredOnItsDriverElseCopied() {
        SourceVolume snapshot = snapshotSource("golden-images", "fedora-snap", "csi.example", 10 * GI, true);
        assertThat(choose(snapshot, null, FAST, profile("csi-clone", null), List.of(), "Filesystem", 10 * GI).strategy())
                .as("a snapshot is restored whatever the profile says, short of copy").isEqualTo(StorageProfile.SNAPSHOT);
        CloneStrategy.Choice other = choose(snapshot, null, storageClass("slow", "csi.other", true), null, CLASSES, "Filesystem", 10 * GI);
        assertThat(other.fallback()).isEqualTo(CloneStrategy.Fallback.NoProvisionerMatch);
        assertThat(choose(snapshot, null, storageClass("fixed", "csi.example", false), null, CLASSES, "Filesystem", 5 * GI).fallback())
                .isEqualTo(CloneStrategy.Fallback.NoVolumeExpansion);
        assertThat(choose(snapshot, null, FAST, null, CLASSES, "Block", 10 * GI).fallback())
                .isEqualTo(CloneStrategy.Fallback.IncompatibleVolumeModes);
    }

    @Test
    void theSnapshotClassIsTheProfilesWhenBothNameItElseTheDefaultElseTheFirstByName() {
        List<VolumeSnapshotClass> classes = List.of(snapshotClass("b-snap", "csi.example", false),
                snapshotClass("a-snap", "csi.example", false), snapshotClass("named", "csi.example", false),
                snapshotClass("elsewhere", "csi.other", true));
        assertThat(CloneStrategy.snapshotClass("csi.example", null, null, classes)).isEqualTo("a-snap");
        List<VolumeSnapshotClass> withDefault = new java.util.ArrayList<>(classes);
        withDefault.add(snapshotClass("z-default", "csi.example", true));
        assertThat(CloneStrategy.snapshotClass("csi.example", null, null, withDefault)).isEqualTo("z-default");
        assertThat(CloneStrategy.snapshotClass("csi.example", profile(null, "named"), profile(null, "named"), withDefault))
                .isEqualTo("named");
        assertThat(CloneStrategy.snapshotClass("csi.example", profile(null, "elsewhere"), profile(null, "elsewhere"), withDefault))
                .as("a class of another driver is no class").isNull();
    }
}
