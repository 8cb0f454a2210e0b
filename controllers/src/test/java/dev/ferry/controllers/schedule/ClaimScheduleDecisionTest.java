package dev.ferry.controllers.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.snapscheduler.v1.SnapshotSchedule;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimScheduleDecisionTest {
    /** snapscheduler's documented example, as its users write it. */
    static final String EXAMPLE = """
            apiVersion: snapscheduler.backube/v1
            kind: SnapshotSchedule
            metadata:
              name: hourly
              namespace: vms
            spec:
              claimSelector:
                matchLabels:
                  snapshot: "true"
              disabled: false
              retention:
                expires: "168h"
                maxCount: 10
              schedule: "0 * * * *"
              snapshotTemplate:
                labels:
                  mylabel: myvalue
                snapshotClassName: local-snapshots
            """;

    @Test
    void snapschedulersExampleTakesItsNamedAndLabelledSnapshotsAndKeepsTenPerClaim() {
        SnapshotSchedule schedule = Serialization.unmarshal(EXAMPLE, SnapshotSchedule.class);
        List<PersistentVolumeClaim> claims = List.of(claim("data", "true"), claim("logs", "true"), claim("tmp", null));
        List<VolumeSnapshot> snapshots = new ArrayList<>();
        Instant now = Instant.parse("2026-03-01T00:10:00Z");
        int created = 0;
        for (int i = 0; i < 24; i++) {
            SchedulePlan<SnapshotSchedule.Status> plan = ClaimScheduleDecision.decide(new ClaimScheduleObserved(schedule, claims,
                    List.copyOf(snapshots), now));
            for (var object : plan.create()) {
                object.getMetadata().setCreationTimestamp(now.toString());
                snapshots.add((VolumeSnapshot) object);
                created++;
            }
            snapshots.removeIf(s -> plan.delete().contains(s.getMetadata().getName()));
            schedule.setStatus(plan.status());
            now = Instant.parse(plan.status().nextSnapshotTime).plusSeconds(1);
        }
        assertThat(created).as("23 hourly runs (the first look only schedules), two claims").isEqualTo(46);
        assertThat(snapshots).hasSize(20);
        VolumeSnapshot last = snapshots.get(snapshots.size() - 1);
        assertThat(last.getMetadata().getName()).isEqualTo("logs-hourly-202603012300");
        assertThat(last.getMetadata().getLabels()).containsEntry("mylabel", "myvalue")
                .containsEntry("snapscheduler.backube/schedule", "hourly").containsEntry("snapscheduler.backube/when", "202603012300");
        assertThat(last.getSpec().source.persistentVolumeClaimName).isEqualTo("logs");
        assertThat(last.getSpec().volumeSnapshotClassName).isEqualTo("local-snapshots");
        assertThat(last.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(schedule.getStatus().lastSnapshotTime).isEqualTo("2026-03-01T23:00:01Z");
        assertThat(schedule.getStatus().conditions.get(0).reason).isEqualTo("ReconcileComplete");

        schedule.getSpec().retention.maxCount = null;
        Instant week = now.plus(Duration.ofHours(168));
        schedule.getSpec().disabled = true;
        SchedulePlan<SnapshotSchedule.Status> expiry = ClaimScheduleDecision.decide(new ClaimScheduleObserved(schedule, claims,
                List.copyOf(snapshots), week));
        assertThat(expiry.create()).isEmpty();
        assertThat(expiry.delete()).as("older than 168h, while disabled").hasSize(20);
    }

    private static PersistentVolumeClaim claim(String name, String snapshot) {
        var builder = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("vms");
        if (snapshot != null) {
            builder.addToLabels("snapshot", snapshot);
        }
        return builder.endMetadata().build();
    }
}
