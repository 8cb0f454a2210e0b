package dev.ferry.controllers.dataimportcron;

import dev.ferry.api.cdi.v1beta1.DataImportCron;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeCondition;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.controllers.datavolume.DataVolumeConditions;
import dev.ferry.controllers.datavolume.ImportSource;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A DataImportCron's decision, a pure function of what its reconcile read (and the time it read
 * it at): poll the source when the schedule says so (a poller Pod reports the registry digest;
 * a claim's digest is its uid), import a new digest as {@code <managedDataSource>-<digest[:12]>},
 * point the DataSource at it once it succeeded (a snapshot of it first, for snapshot-format
 * storage), and collect older imports. Conditions and reasons as CDI's.
 */
public final class DataImportCronDecision {
    static final Duration POLL_WATCH = Duration.ofSeconds(2);
    static final Duration SNAPSHOT_POLL = Duration.ofSeconds(1);
    /** A failed poll is retried after 10 s, 20 s, 40 s … at most 5 minutes — never later than the next scheduled poll. */
    static final Duration RETRY_FIRST = Duration.ofSeconds(10);
    static final Duration RETRY_MAX = Duration.ofMinutes(5);
    public static final int DEFAULT_IMPORTS_TO_KEEP = 3;

    private DataImportCronDecision() {
    }

    public static DicPlan decide(DicObserved o, WorkerSettings settings) {
        Step step = new Step(o);
        DataImportCron cron = o.cron();
        String invalid = invalid(cron);
        if (invalid != null) {
            return step.conditions(false, "InvalidSpec", invalid, false, "InvalidSpec", invalid).done(null);
        }
        String desired = poll(o, step, settings);
        if (desired == null) {
            return step.orProgressing(false, "NoImport", "No current import").upToDate(false, "NoDigest", "No source digest")
                    .done(step.nextPoll());
        }
        if (o.unauthorized() != null) {
            return step.orProgressing(false, "NotAuthorized", o.unauthorized()).upToDate(false, "Outdated",
                    "the cron's service account may not read the source").done(step.nextPoll());
        }
        return importDigest(o, step, desired);
    }

    /**
     * The digest to import: a claim source's uid; else what a poller that just ended found, else
     * the desired-digest annotation (set by earlier polls, or by hand).
     */
    public static String desiredDigest(DataImportCron cron, DicObserved.Poll poller, String sourceClaimDigest) {
        if (cron.getSpec() != null && cron.getSpec().template != null && cron.getSpec().template.spec != null
                && cron.getSpec().template.spec.source != null && cron.getSpec().template.spec.source.pvc != null) {
            return sourceClaimDigest;
        }
        if (poller != null && poller.result() != null && poller.result().succeeded() && poller.result().digest() != null) {
            return poller.result().digest();
        }
        return annotation(cron, CronNames.ANN_DESIRED_DIGEST);
    }

    /** The digest to import ({@link #desiredDigest}); handles an ended poll and starts one when it is due. */
    private static String poll(DicObserved o, Step step, WorkerSettings settings) {
        DataImportCron cron = o.cron();
        String desired = desiredDigest(cron, o.poller(), o.sourceClaimDigest());
        if (cron.getSpec().template.spec.source.pvc != null) {
            return desired;
        }
        DicObserved.Poll poller = o.poller();
        if (poller != null && ("Succeeded".equals(poller.phase()) || "Failed".equals(poller.phase()))) {
            step.delete(step.pollerPod);
            String started = annotation(cron, CronNames.ANN_LAST_CRON_TIME);
            if (poller.result() != null && poller.result().succeeded() && poller.result().digest() != null) {
                step.annotate(CronNames.ANN_DESIRED_DIGEST, desired);
                step.annotate(CronNames.ANN_POLL_FAILURES, null);
                step.annotate(CronNames.ANN_POLL_FAILED, null);
            } else if (started != null && started.equals(annotation(cron, CronNames.ANN_POLL_FAILED))) {
                // this poll's failure is counted already (its Pod was seen again before it went)
                keepFailedPoll(cron, step);
                step.again(POLL_WATCH);
            } else {
                step.annotate(CronNames.ANN_POLL_FAILED, started);
                int failures = failures(cron) + 1;
                Duration wait = RETRY_FIRST.multipliedBy(1L << Math.min(failures - 1, 10));
                Instant retry = o.now().plus(wait.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : wait);
                Instant scheduled = nextCron(cron, o.now()).orElse(null);
                step.annotate(CronNames.ANN_POLL_FAILURES, String.valueOf(failures));
                step.annotate(CronNames.ANN_NEXT_CRON_TIME, (scheduled != null && scheduled.isBefore(retry) ? scheduled : retry).toString());
                String reason = poller.result() == null ? "PollFailed" : poller.result().reason();
                String message = "polling " + cron.getSpec().template.spec.source.registry.url + " failed ("
                        + (poller.result() == null ? "the poller ended without a result" : poller.result().message())
                        + "); trying again at " + step.annotate.get(CronNames.ANN_NEXT_CRON_TIME);
                step.progressing(false, reason, message);
                step.event(Event.warning(reason, message));
            }
        } else if (poller == null && due(o)) {
            keepFailedPoll(cron, step);
            try {
                step.create(CronObjects.poller(cron, settings));
            } catch (ImportSource.UnsupportedSource e) {
                step.progressing(false, "InvalidSpec", e.getMessage());
                return desired;
            }
            step.annotate(CronNames.ANN_LAST_CRON_TIME, o.now().toString());
            step.annotate(CronNames.ANN_NEXT_CRON_TIME, CronSchedule.next(cron.getSpec().schedule, o.now()).map(Instant::toString)
                    .orElse(null));
            step.again(POLL_WATCH);
        } else {
            keepFailedPoll(cron, step);
            if (poller != null) {
                step.again(POLL_WATCH);
            }
        }
        return desired;
    }

    /** Until a poll succeeds, Progressing keeps saying why the last one failed (a later pass would say NoImport). */
    private static void keepFailedPoll(DataImportCron cron, Step step) {
        if (failures(cron) == 0 || cron.getStatus() == null || cron.getStatus().conditions == null) {
            return;
        }
        cron.getStatus().conditions.stream().filter(c -> DataImportCron.CONDITION_PROGRESSING.equals(c.type) && "False".equals(c.status))
                .findFirst().ifPresent(c -> step.progressing(false, c.reason, c.message));
    }

    /** A poll is due: never polled (CDI's initial job), or the next scheduled (or retry) time has come. */
    private static boolean due(DicObserved o) {
        DataImportCron cron = o.cron();
        boolean scheduled = cron.getSpec().schedule != null && !cron.getSpec().schedule.isBlank();
        String next = annotation(cron, CronNames.ANN_NEXT_CRON_TIME);
        if (next != null) {
            return !o.now().isBefore(Instant.parse(next));
        }
        return scheduled && annotation(cron, CronNames.ANN_LAST_CRON_TIME) == null;
    }

    private static DicPlan importDigest(DicObserved o, Step step, String desired) {
        DataImportCron cron = o.cron();
        String name = CronNames.importName(cron, desired);
        DataImportCron.ImportStatus current = current(cron);
        if (current != null && !name.equals(current.dataVolumeName)) {
            // a newer digest: an import that failed is replaced by it, one that succeeded is kept (collected later)
            o.imports().stream().filter(i -> i instanceof DataVolume dv && current.dataVolumeName.equals(dv.getMetadata().getName())
                    && dv.getStatus() != null && Phases.FAILED.equals(dv.getStatus().phase)).forEach(step::delete);
        }
        step.status.currentImports = List.of(new DataImportCron.ImportStatus(name, desired));
        boolean snapshotReady = o.snapshot() != null && o.snapshot().getStatus() != null
                && Boolean.TRUE.equals(o.snapshot().getStatus().readyToUse);
        boolean claimReady = claimPopulated(o);
        if (snapshotReady) {
            step.delete(o.dataVolume());
            step.delete(o.claim());
            return succeeded(o, step, name, true);
        }
        if (!claimReady) {
            if (o.dataVolume() == null && o.claim() == null && o.snapshot() == null) {
                step.create(CronObjects.importVolume(cron, desired, o.now()));
                step.event(Event.normal("ImportScheduled", "importing " + desired + " as DataVolume " + name));
                return step.progressing(true, "ImportProgressing", "Import is progressing")
                        .upToDate(false, "ImportProgressing", "Import is progressing").done(step.nextPoll());
            }
            if (o.snapshot() != null) {
                return step.progressing(true, "ImportProgressing", "waiting for snapshot " + name + " to be ready")
                        .upToDate(false, "ImportProgressing", "Import is progressing").done(min(step.nextPoll(), SNAPSHOT_POLL));
            }
            String phase = o.dataVolume() == null || o.dataVolume().getStatus() == null || o.dataVolume().getStatus().phase == null
                    ? Phases.PENDING : o.dataVolume().getStatus().phase;
            if (Phases.FAILED.equals(phase)) {
                return step.progressing(false, phase, "Import DataVolume " + name + " failed: " + readyMessage(o.dataVolume())
                        + "; it is replaced when the source has a newer digest").upToDate(false, "Outdated", "the import failed")
                        .done(step.nextPoll());
            }
            return step.progressing(true, "ImportProgressing", "Import DataVolume phase " + phase)
                    .upToDate(false, "ImportProgressing", "Import is progressing").done(step.nextPoll());
        }
        if (DataImportCron.FORMAT_SNAPSHOT.equals(o.format()) && o.snapshotClass() != null) {
            if (o.snapshot() == null) {
                step.create(CronObjects.snapshot(cron, o.dataVolume() != null ? o.dataVolume() : CronObjects.importVolume(cron, desired,
                        o.now()), o.snapshotClass()));
            }
            return step.progressing(true, "ImportProgressing", "taking snapshot " + name + " of the import")
                    .upToDate(false, "ImportProgressing", "Import is progressing").done(min(step.nextPoll(), SNAPSHOT_POLL));
        }
        return succeeded(o, step, name, false);
    }

    /** The import is there: the DataSource points at it (unless another cron manages it), older imports are collected. */
    private static DicPlan succeeded(DicObserved o, Step step, String name, boolean snapshot) {
        DataImportCron cron = o.cron();
        DataImportCron.Status before = cron.getStatus();
        step.status.sourceFormat = snapshot ? DataImportCron.FORMAT_SNAPSHOT : DataImportCron.FORMAT_PVC;
        DataVolumeSource.ObjectRef last = new DataVolumeSource.ObjectRef();
        last.namespace = cron.getMetadata().getNamespace();
        last.name = name;
        boolean newImport = before == null || before.lastImportedPVC == null || !name.equals(before.lastImportedPVC.name);
        step.status.lastImportedPVC = last;
        step.status.lastImportTimestamp = newImport || before.lastImportTimestamp == null ? o.now().toString() : before.lastImportTimestamp;
        String manager = o.dataSource() == null || o.dataSource().getMetadata().getLabels() == null ? null
                : o.dataSource().getMetadata().getLabels().get(CronNames.LABEL_CRON);
        if (o.dataSource() != null && !cron.getMetadata().getName().equals(manager)) {
            String message = "DataSource " + cron.getSpec().managedDataSource + (manager == null ? " was not made by a DataImportCron"
                    : " is managed by DataImportCron " + manager) + "; it is left as it is";
            step.event(Event.warning("ErrDataSourceAlreadyManaged", message));
            return step.progressing(false, "NoImport", "No current import")
                    .upToDate(false, "ErrDataSourceAlreadyManaged", message).done(step.nextPoll());
        }
        DataSource wanted = CronObjects.dataSource(cron, o.dataSource(), name, snapshot);
        if (o.dataSource() == null || !pointsAt(o.dataSource(), name, snapshot)) {
            step.dataSource = wanted;
            step.event(Event.normal("DataSourceUpdated", "DataSource " + wanted.getMetadata().getName() + " points at "
                    + (snapshot ? "snapshot " : "claim ") + name));
        }
        collect(o, step, name);
        // nothing is importing: a poll that just failed is what Progressing has to say
        return step.orProgressing(false, "NoImport", "No current import").upToDate(true, "UpToDate", "Latest import is up to date")
                .done(step.nextPoll());
    }

    /** Keeps the {@code importsToKeep} most recently used imports (the current one always), unless garbageCollect is Never. */
    private static void collect(DicObserved o, Step step, String current) {
        DataImportCron cron = o.cron();
        if (DataImportCron.GC_NEVER.equals(cron.getSpec().garbageCollect)) {
            return;
        }
        int keep = Math.max(1, cron.getSpec().importsToKeep == null ? DEFAULT_IMPORTS_TO_KEEP : cron.getSpec().importsToKeep);
        Map<String, Instant> lastUse = new LinkedHashMap<>();
        for (HasMetadata object : o.imports()) {
            Instant used = lastUse(object);
            lastUse.merge(object.getMetadata().getName(), used, (a, b) -> a.isAfter(b) ? a : b);
        }
        lastUse.put(current, Instant.MAX);
        List<String> newestFirst = lastUse.entrySet().stream().sorted(Map.Entry.<String, Instant>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey())).map(Map.Entry::getKey).toList();
        List<String> collected = newestFirst.subList(Math.min(keep, newestFirst.size()), newestFirst.size());
        for (HasMetadata object : o.imports()) {
            // a DataVolume takes its claim with it; a claim or snapshot without one goes itself
            boolean hasDataVolume = o.imports().stream().anyMatch(other -> other instanceof DataVolume
                    && other.getMetadata().getName().equals(object.getMetadata().getName()));
            if (collected.contains(object.getMetadata().getName()) && (object instanceof DataVolume
                    || !(object instanceof PersistentVolumeClaim) || !hasDataVolume)) {
                step.delete(object);
            }
        }
    }

    /** Why the spec cannot work (CDI's admission webhook refuses these; a cluster without it gets the condition). */
    static String invalid(DataImportCron cron) {
        if (cron.getSpec() == null || cron.getSpec().managedDataSource == null || cron.getSpec().managedDataSource.isBlank()) {
            return "spec.managedDataSource is required";
        }
        if (cron.getSpec().template == null || cron.getSpec().template.spec == null || cron.getSpec().template.spec.source == null
                || (cron.getSpec().template.spec.source.registry == null && cron.getSpec().template.spec.source.pvc == null)) {
            return "spec.template.spec.source must be a registry or a pvc";
        }
        if (cron.getSpec().template.spec.source.registry != null && cron.getSpec().template.spec.source.registry.url == null) {
            return "spec.template.spec.source.registry.url is required (imageStream is OpenShift's)";
        }
        if (cron.getSpec().importsToKeep != null && cron.getSpec().importsToKeep < 0) {
            return "spec.importsToKeep must not be negative";
        }
        return CronSchedule.problem(cron.getSpec().schedule);
    }

    private static boolean claimPopulated(DicObserved o) {
        if (o.dataVolume() != null) {
            return o.dataVolume().getStatus() != null && Phases.SUCCEEDED.equals(o.dataVolume().getStatus().phase);
        }
        return o.claim() != null && o.claim().getStatus() != null && "Bound".equals(o.claim().getStatus().getPhase());
    }

    private static boolean pointsAt(DataSource ds, String name, boolean snapshot) {
        DataSource.Source source = ds.getSpec() == null ? null : ds.getSpec().source;
        DataVolumeSource.ObjectRef ref = source == null ? null : snapshot ? source.snapshot : source.pvc;
        DataVolumeSource.ObjectRef other = source == null ? null : snapshot ? source.pvc : source.snapshot;
        return ref != null && name.equals(ref.name) && other == null && source.dataSource == null;
    }

    static Instant lastUse(HasMetadata object) {
        String value = object.getMetadata().getAnnotations() == null ? null
                : object.getMetadata().getAnnotations().get(CronNames.ANN_LAST_USE_TIME);
        try {
            return value == null || value.isEmpty() ? Instant.parse(object.getMetadata().getCreationTimestamp()) : Instant.parse(value);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** The scheduled poll after the last one (empty without a schedule). */
    private static Optional<Instant> nextCron(DataImportCron cron, Instant now) {
        String last = annotation(cron, CronNames.ANN_LAST_CRON_TIME);
        return CronSchedule.next(cron.getSpec().schedule, last == null ? now : Instant.parse(last));
    }

    private static DataImportCron.ImportStatus current(DataImportCron cron) {
        return cron.getStatus() == null || cron.getStatus().currentImports == null || cron.getStatus().currentImports.isEmpty()
                ? null : cron.getStatus().currentImports.get(0);
    }

    private static int failures(DataImportCron cron) {
        try {
            return Integer.parseInt(Objects.requireNonNullElse(annotation(cron, CronNames.ANN_POLL_FAILURES), "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String readyMessage(DataVolume dv) {
        DataVolumeCondition ready = DataVolumeConditions.find(dv.getStatus(), Phases.CONDITION_READY);
        return ready == null || ready.message == null ? "no reason given" : ready.message;
    }

    static String annotation(HasMetadata object, String key) {
        return object.getMetadata().getAnnotations() == null ? null : object.getMetadata().getAnnotations().get(key);
    }

    private static Duration min(Duration a, Duration b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    /** Assembles a plan. */
    private static final class Step {
        private final DicObserved o;
        private final Map<String, String> annotate = new LinkedHashMap<>();
        private final List<HasMetadata> create = new ArrayList<>();
        private final List<HasMetadata> delete = new ArrayList<>();
        private final DataImportCron.Status status = new DataImportCron.Status();
        private final HasMetadata pollerPod;
        private DataSource dataSource;
        private DataVolumeCondition progressing;
        private DataVolumeCondition upToDate;
        private Event event;
        private Duration again;

        Step(DicObserved o) {
            this.o = o;
            DataImportCron.Status before = o.cron().getStatus();
            if (before != null) {
                status.currentImports = before.currentImports;
                status.lastImportedPVC = before.lastImportedPVC;
                status.lastImportTimestamp = before.lastImportTimestamp;
                status.sourceFormat = before.sourceFormat;
            }
            status.lastExecutionTimestamp = annotation(o.cron(), CronNames.ANN_LAST_CRON_TIME);
            this.pollerPod = o.poller() == null ? null : pollerStub(o.cron());
        }

        private static HasMetadata pollerStub(DataImportCron cron) {
            io.fabric8.kubernetes.api.model.Pod pod = new io.fabric8.kubernetes.api.model.Pod();
            pod.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(CronNames.poller(cron))
                    .withNamespace(cron.getMetadata().getNamespace()).build());
            return pod;
        }

        void annotate(String key, String value) {
            annotate.put(key, value);
            if (CronNames.ANN_LAST_CRON_TIME.equals(key)) {
                status.lastExecutionTimestamp = value;
            }
        }

        void create(HasMetadata object) {
            create.add(object);
        }

        void delete(HasMetadata object) {
            if (object != null && delete.stream().noneMatch(d -> d.getKind().equals(object.getKind())
                    && d.getMetadata().getName().equals(object.getMetadata().getName()))) {
                delete.add(object);
            }
        }

        void event(Event what) {
            if (event == null || "Normal".equals(event.type())) {
                event = what;
            }
        }

        void again(Duration after) {
            again = min(again, after);
        }

        Step progressing(boolean status, String reason, String message) {
            progressing = DataVolumeConditions.of(DataImportCron.CONDITION_PROGRESSING, status, reason, message);
            return this;
        }

        /** Progressing as given, unless a failed poll already said why. */
        Step orProgressing(boolean status, String reason, String message) {
            return progressing != null ? this : progressing(status, reason, message);
        }

        Step upToDate(boolean status, String reason, String message) {
            upToDate = DataVolumeConditions.of(DataImportCron.CONDITION_UP_TO_DATE, status, reason, message);
            return this;
        }

        Step conditions(boolean progressingStatus, String progressingReason, String progressingMessage, boolean upToDateStatus,
                String upToDateReason, String upToDateMessage) {
            return progressing(progressingStatus, progressingReason, progressingMessage).upToDate(upToDateStatus, upToDateReason,
                    upToDateMessage);
        }

        /** When the next poll is due (a retry or the schedule), or null: nothing is scheduled. */
        Duration nextPoll() {
            String next = annotate.containsKey(CronNames.ANN_NEXT_CRON_TIME) ? annotate.get(CronNames.ANN_NEXT_CRON_TIME)
                    : annotation(o.cron(), CronNames.ANN_NEXT_CRON_TIME);
            if (next == null || !create.isEmpty() && create.get(0) instanceof io.fabric8.kubernetes.api.model.Pod) {
                return null;
            }
            Duration until = Duration.between(o.now(), Instant.parse(next));
            return until.isNegative() ? Duration.ZERO : until;
        }

        DicPlan done(Duration requeue) {
            status.conditions = new ArrayList<>(List.of(progressing, upToDate));
            status.conditions.sort(Comparator.comparing(c -> c.type));
            return new DicPlan(annotate, List.copyOf(create), List.copyOf(delete), dataSource, status, event, min(requeue, again));
        }
    }
}
