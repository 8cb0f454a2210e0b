package dev.ferry.controllers.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.schedule.v1alpha1.VirtualMachineSnapshotSchedule;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The VM schedule's decision driven over simulated weeks: a test clock moves to each requeue (or
 * to a test's interruption), what the plan creates and deletes is applied to an in-memory
 * namespace, and snapshots succeed the next time anything looks, unless a test holds them.
 */
class VmScheduleDecisionTest {
    private static final Instant START = Instant.parse("2026-03-01T00:00:10Z");

    /** An in-memory namespace: VMs, the schedule and its snapshots, and the plans' effects. */
    private static final class Sim {
        final VirtualMachineSnapshotSchedule schedule = new VirtualMachineSnapshotSchedule();
        final Map<String, VirtualMachine> vms = new HashMap<>();
        final Map<String, VirtualMachineSnapshot> snapshots = new HashMap<>();
        final List<String> created = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        int failed;
        boolean holdSnapshots;
        Instant now = START;

        Sim(String cron, String expires, Integer maxCount, Map<String, String> selector) {
            schedule.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("vms").build());
            schedule.setSpec(new VirtualMachineSnapshotSchedule.Spec());
            schedule.getSpec().schedule = cron;
            schedule.getSpec().vmSelector = selector == null ? null : new LabelSelectorBuilder().withMatchLabels(selector).build();
            if (expires != null || maxCount != null) {
                schedule.getSpec().retention = new VirtualMachineSnapshotSchedule.Retention();
                schedule.getSpec().retention.expires = expires;
                schedule.getSpec().retention.maxCount = maxCount;
            }
        }

        Sim vm(String name, Map<String, String> labels) {
            VirtualMachine vm = new VirtualMachine();
            vm.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("vms").withLabels(labels).build());
            vms.put(name, vm);
            return this;
        }

        SchedulePlan<VirtualMachineSnapshotSchedule.Status> look() {
            if (!holdSnapshots) {
                snapshots.values().forEach(s -> {
                    if (s.getStatus() == null) {
                        s.setStatus(new VirtualMachineSnapshot.Status());
                        s.getStatus().phase = VirtualMachineSnapshot.SUCCEEDED;
                        s.getStatus().readyToUse = true;
                    }
                });
            }
            SchedulePlan<VirtualMachineSnapshotSchedule.Status> plan = VmScheduleDecision.decide(new VmScheduleObserved(schedule,
                    List.copyOf(vms.values()), List.copyOf(snapshots.values()), now));
            for (var object : plan.create()) {
                VirtualMachineSnapshot snapshot = (VirtualMachineSnapshot) object;
                snapshot.getMetadata().setCreationTimestamp(now.toString());
                snapshots.put(snapshot.getMetadata().getName(), snapshot);
                created.add(snapshot.getMetadata().getName());
            }
            plan.delete().forEach(name -> {
                snapshots.remove(name);
                deleted.add(name);
            });
            failed += plan.failed();
            schedule.setStatus(plan.status());
            return plan;
        }

        /** Looks at every requeue until {@code until}; {@code between} may change the namespace before each look. */
        void runUntil(Instant until, Consumer<Sim> between) {
            while (now.isBefore(until)) {
                between.accept(this);
                Duration requeue = look().requeue();
                now = now.plus(requeue.isZero() ? Duration.ofMillis(1) : requeue);
            }
        }

        Map<String, Long> perVm() {
            return snapshots.values().stream().collect(Collectors.groupingBy(s -> s.getSpec().source.name, Collectors.counting()));
        }
    }

    @Test
    void everyMinuteWithMaxCountTwoKeepsTheNewestTwoOfEachSelectedVm() {
        Sim sim = new Sim("* * * * *", null, 2, Map.of("backup", "true"))
                .vm("db", Map.of("backup", "true")).vm("web", Map.of("backup", "true")).vm("scratch", Map.of());
        sim.runUntil(START.plus(Duration.ofMinutes(3)), s -> { });
        assertThat(sim.created).containsExactly("nightly-db-202603010001", "nightly-web-202603010001", "nightly-db-202603010002",
                "nightly-web-202603010002", "nightly-db-202603010003", "nightly-web-202603010003");
        assertThat(sim.deleted).containsExactlyInAnyOrder("nightly-db-202603010001", "nightly-web-202603010001");
        assertThat(sim.perVm()).containsOnly(Map.entry("db", 2L), Map.entry("web", 2L));
        VirtualMachineSnapshot one = sim.snapshots.get("nightly-db-202603010003");
        assertThat(one.getMetadata().getLabels()).containsEntry(VirtualMachineSnapshotSchedule.LABEL_SCHEDULE, "nightly")
                .containsEntry(VirtualMachineSnapshotSchedule.LABEL_WHEN, "202603010003");
        assertThat(one.getMetadata().getOwnerReferences()).as("snapshots outlive their schedule").isEmpty();
        assertThat(sim.schedule.getStatus().nextSnapshotTime).isEqualTo("2026-03-01T00:04:00Z");
        assertThat(sim.schedule.getStatus().virtualMachines).extracting(r -> r.lastResult).containsOnly("InProgress");
        assertThat(sim.look().requeue()).as("done: the next look is the next run's").isGreaterThan(Duration.ofSeconds(15));
        assertThat(sim.schedule.getStatus().virtualMachines).extracting(r -> r.name + " " + r.lastSnapshotName + " " + r.lastResult)
                .containsExactly("db nightly-db-202603010003 Succeeded", "web nightly-web-202603010003 Succeeded");
        assertThat(sim.schedule.getStatus().conditions).singleElement()
                .satisfies(c -> assertThat(c.type + " " + c.status + " " + c.reason).isEqualTo("Reconciled True ReconcileComplete"));
    }

    @Test
    void aSimulatedMonthOfHourlyDailyAndWeeklySchedules() {
        Sim hourly = new Sim("@hourly", null, 3, null).vm("db", null);
        hourly.runUntil(START.plus(Duration.ofDays(30)), s -> { });
        assertThat(hourly.created).hasSize(30 * 24);
        assertThat(hourly.perVm()).containsOnly(Map.entry("db", 3L));
        assertThat(hourly.deleted).hasSize(30 * 24 - 3);

        Sim daily = new Sim("0 3 * * *", "90m", null, null).vm("db", null);
        daily.runUntil(START.plus(Duration.ofDays(30)), s -> { });
        assertThat(daily.created).hasSize(30).allSatisfy(name -> assertThat(name).endsWith("0300"));
        assertThat(daily.perVm()).as("none younger than 90 minutes at the end").isEmpty();

        Sim weekly = new Sim("@weekly", "336h", 1, null).vm("db", null).vm("web", null);
        weekly.runUntil(START.plus(Duration.ofDays(30)), s -> { });
        assertThat(weekly.created).as("Sundays 8, 15, 22 and 29 March, two VMs").hasSize(8);
        assertThat(weekly.perVm()).containsOnly(Map.entry("db", 1L), Map.entry("web", 1L));
    }

    @Test
    void expiresAndMaxCountTogether() {
        Sim sim = new Sim("*/10 * * * *", "35m", 5, null).vm("db", null);
        sim.runUntil(START.plus(Duration.ofHours(2)), s -> { });
        assertThat(sim.perVm()).as("maxCount would keep 5; expires keeps those of the last 35 minutes").containsOnly(Map.entry("db", 4L));
    }

    @Test
    void disabledTakesNothingButExpiryGoesOnAndAMissedWindowIsNotMadeUp() {
        Sim sim = new Sim("@hourly", "150m", null, null).vm("db", null);
        sim.runUntil(START.plus(Duration.ofHours(3)), s -> { });
        assertThat(sim.created).as("01:00, 02:00, 03:00").hasSize(3);
        sim.schedule.getSpec().disabled = true;
        sim.runUntil(START.plus(Duration.ofHours(6)), s -> { });
        assertThat(sim.created).as("disabled").hasSize(3);
        assertThat(sim.snapshots).as("expired while disabled").isEmpty();
        assertThat(sim.schedule.getStatus().conditions.get(0).message).contains("disabled");

        sim.schedule.getSpec().disabled = false;
        // the controller is away for 5 hours: one run for the slot it finds due, then on schedule
        Instant slot = Instant.parse(sim.schedule.getStatus().nextSnapshotTime);
        sim.now = sim.now.plus(Duration.ofHours(5));
        sim.look();
        assertThat(sim.created).hasSize(4);
        assertThat(sim.created.get(3)).isEqualTo("nightly-db-" + ScheduleCore.stamp(slot));
        assertThat(Instant.parse(sim.schedule.getStatus().nextSnapshotTime)).isAfter(sim.now);
    }

    @Test
    void aVmAddedOrRemovedBetweenRunsIsFollowedAndAStillRunningSnapshotSkipsItsSlot() {
        Sim sim = new Sim("*/15 * * * *", null, 4, null).vm("db", null);
        sim.runUntil(START.plus(Duration.ofMinutes(16)), s -> { });
        sim.vm("web", null);
        sim.vms.remove("db");
        sim.runUntil(START.plus(Duration.ofMinutes(31)), s -> { });
        assertThat(sim.created).containsExactly("nightly-db-202603010015", "nightly-web-202603010030");
        assertThat(sim.schedule.getStatus().virtualMachines).extracting(r -> r.name).containsExactly("web");
        assertThat(sim.snapshots).as("a removed VM's snapshots stay until retention takes them").containsKey("nightly-db-202603010015");

        sim.holdSnapshots = true;
        sim.runUntil(START.plus(Duration.ofMinutes(46)), s -> { });
        assertThat(sim.look().requeue()).as("a running snapshot is looked at again soon").isEqualTo(Duration.ofSeconds(15));
        assertThat(sim.created).last().isEqualTo("nightly-web-202603010045");
        sim.runUntil(START.plus(Duration.ofMinutes(61)), s -> { });
        assertThat(sim.created).as("the 01:00 slot skipped: 00:45 still runs").doesNotContain("nightly-web-202603010100");
        VirtualMachineSnapshotSchedule.VmResult web = sim.schedule.getStatus().virtualMachines.get(0);
        assertThat(web.lastResult + " " + web.skipped + " " + web.lastSnapshotName).isEqualTo("Skipped 1 nightly-web-202603010045");

        VirtualMachineSnapshot running = sim.snapshots.get("nightly-web-202603010045");
        running.setStatus(new VirtualMachineSnapshot.Status());
        running.getStatus().phase = VirtualMachineSnapshot.FAILED;
        SchedulePlan<VirtualMachineSnapshotSchedule.Status> failed = sim.look();
        assertThat(failed.failed()).isEqualTo(1);
        assertThat(failed.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("ScheduledSnapshotFailed"));
        assertThat(sim.look().failed()).as("counted once").isZero();
        sim.holdSnapshots = false;
        sim.runUntil(START.plus(Duration.ofMinutes(76)), s -> { });
        assertThat(sim.created).last().isEqualTo("nightly-web-202603010115");
        assertThat(sim.schedule.getStatus().virtualMachines.get(0).skipped).as("the count stays").isEqualTo(1);
    }

    @Test
    void aBadScheduleSaysWhyAndTakesNothing() {
        Sim sim = new Sim("every night", null, 0, null).vm("db", null);
        SchedulePlan<VirtualMachineSnapshotSchedule.Status> plan = sim.look();
        assertThat(plan.create()).isEmpty();
        assertThat(plan.status().conditions.get(0).reason).isEqualTo("ReconcileError");
        assertThat(plan.status().conditions.get(0).message).contains("not a 5-field cron expression");
    }
}
