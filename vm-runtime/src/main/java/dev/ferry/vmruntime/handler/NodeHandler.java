package dev.ferry.vmruntime.handler;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The node handler (one per node, as KubeVirt's virt-handler): for each VMI scheduled to its node
 * it asks the VMI's launcher how the domain is doing and writes that into the VMI status — phase
 * Running, the Ready and Paused conditions, the accelerator — carries pause requests (the
 * {@value #ANN_PAUSE} annotation {@code ferry pause} sets; KubeVirt's pause subresource) to the
 * launcher, and connects a migrating VMI's source launcher to its target launcher.
 */
public final class NodeHandler implements AutoCloseable {
    public static final String ANN_PAUSE = "ferry.kubevirt.dev/pause";
    private static final Logger LOG = Logger.getLogger(NodeHandler.class.getName());

    private final KubernetesClient client;
    private final String node;
    private final Clock clock;
    private final MigrationSettings settings;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ferry-node-handler");
        thread.setDaemon(true);
        return thread;
    });
    private SharedIndexInformer<VirtualMachineInstance> vmis;
    /** Launcher Pods (KubeVirt's label), read from a cache: the handler looks at them several times a second. */
    private SharedIndexInformer<Pod> launchers;

    /**
     * KubeVirt's migration settings the handler applies: completionTimeoutPerGiB (150 s per GiB of
     * guest memory), progressTimeout (150 s without less memory left to send), and the longest
     * pause Ferry asks QEMU to keep the switch-over under, and bandwidthPerMigration in MiB/s (0: unlimited).
     */
    public record MigrationSettings(long completionTimeoutPerGiB, long progressTimeoutSeconds, long maxDowntimeMillis,
            long bandwidthMiBps) {
        public static final MigrationSettings DEFAULTS = new MigrationSettings(150, 150, 50, 0);
    }

    public NodeHandler(KubernetesClient client, String node, Clock clock) {
        this(client, node, clock, MigrationSettings.DEFAULTS);
    }

    public NodeHandler(KubernetesClient client, String node, Clock clock, MigrationSettings settings) {
        this.client = client;
        this.node = node;
        this.clock = clock;
        this.settings = settings;
    }

    /** Watches VMIs and looks at this node's launchers every {@code period}. */
    public void start(Duration period) {
        vmis = client.resources(VirtualMachineInstance.class).inAnyNamespace().inform();
        launchers = client.pods().inAnyNamespace().withLabel("kubevirt.io", "virt-launcher").inform();
        ticker.scheduleWithFixedDelay(this::syncAll, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean synced() {
        return vmis != null && vmis.hasSynced() && launchers.hasSynced();
    }

    private void syncAll() {
        for (VirtualMachineInstance vmi : vmis.getStore().list()) {
            VmiStatus status = vmi.getStatus();
            if (status == null || !node.equals(status.nodeName) || status.launcherPod == null
                    || !(VmiStatus.SCHEDULED.equals(status.phase) || VmiStatus.RUNNING.equals(status.phase))) {
                continue;
            }
            try {
                sync(vmi);
            } catch (IOException | KubernetesClientException e) {
                LOG.fine(() -> vmi.getMetadata().getName() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.warning(() -> vmi.getMetadata().getName() + ": " + e);
            }
        }
    }

    /** One VMI: the launcher's state into the status, the pause request into the launcher, its migration along. */
    void sync(VirtualMachineInstance vmi) throws IOException {
        String namespace = vmi.getMetadata().getNamespace();
        VmiStatus.MigrationState migration = vmi.getStatus().migrationState;
        if (migration != null && migration.targetPod != null && node.equals(migration.sourceNode)
                && !Boolean.TRUE.equals(migration.completed) && !Boolean.TRUE.equals(migration.failed)) {
            migrate(vmi, migration);
            return;
        }
        Pod pod = pod(namespace, vmi.getStatus().launcherPod);
        LauncherClient launcher = LauncherClient.of(pod);
        if (launcher == null || !"Running".equals(pod.getStatus().getPhase())) {
            return;
        }
        LauncherClient.Status reported = launcher.status();
        boolean pauseWanted = "true".equals(annotation(vmi, ANN_PAUSE));
        if ("Running".equals(reported.state()) && pauseWanted) {
            launcher.post("pause");
            reported = launcher.status();
        } else if ("Paused".equals(reported.state()) && !pauseWanted) {
            launcher.post("unpause");
            reported = launcher.status();
        }
        if (!"Running".equals(reported.state()) && !"Paused".equals(reported.state())) {
            return;
        }
        boolean paused = "Paused".equals(reported.state());
        List<VmiStatus.Condition> conditions = new ArrayList<>();
        for (VmiStatus.Condition c : vmi.getStatus().conditions == null ? List.<VmiStatus.Condition>of() : vmi.getStatus().conditions) {
            if (!"Ready".equals(c.type) && !"Paused".equals(c.type)) {
                conditions.add(c);
            }
        }
        conditions.add(condition(vmi, "Ready", paused ? "False" : "True", paused ? "PausedByUser" : null,
                paused ? "the VMI is paused" : null));
        if (paused) {
            conditions.add(condition(vmi, "Paused", "True", "PausedByUser", "paused by `ferry pause`"));
        }
        String accelerator = reported.accelerator();
        boolean changed = !VmiStatus.RUNNING.equals(vmi.getStatus().phase) || !Objects.equals(accelerator, vmi.getStatus().accelerator)
                || !sameConditions(conditions, vmi.getStatus().conditions);
        if (!changed) {
            return;
        }
        client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(vmi.getMetadata().getName())
                .editStatus(current -> {
                    if (current.getStatus() == null || !node.equals(current.getStatus().nodeName)) {
                        return current;
                    }
                    current.getStatus().phase = VmiStatus.RUNNING;
                    current.getStatus().accelerator = accelerator;
                    current.getStatus().conditions = conditions;
                    return current;
                });
        String state = reported.state();
        LOG.info(() -> namespace + "/" + vmi.getMetadata().getName() + ": " + state + " (" + accelerator + ")");
    }

    /**
     * The source side of a migration: once the target launcher waits for the guest, tell the
     * source launcher to send it (memory over TCP to the target's port, the disk shared), then
     * record the outcome — and on success, that the target Pod now runs the VMI.
     */
    private void migrate(VirtualMachineInstance vmi, VmiStatus.MigrationState migration) throws IOException {
        String namespace = vmi.getMetadata().getNamespace();
        LauncherClient source = LauncherClient.of(pod(namespace, migration.sourcePod));
        Pod targetPod = pod(namespace, migration.targetPod);
        LauncherClient target = LauncherClient.of(targetPod);
        if (source == null) {
            return;
        }
        String uid = migration.migrationUid;
        if (migration.startTimestamp == null) {
            if (Boolean.TRUE.equals(migration.abortRequested) || target == null || !"Running".equals(targetPod.getStatus().getPhase())) {
                return;
            }
            LauncherClient.Status ready = target.status();
            if (!"WaitingForMigration".equals(ready.state()) || ready.migrationPort() == null || ready.libvirtUri() == null) {
                return;
            }
            String address = "tcp://" + targetPod.getStatus().getPodIP() + ":" + ready.migrationPort();
            String targetNode = targetPod.getSpec().getNodeName();
            Map<String, Object> request = new java.util.LinkedHashMap<>();
            request.put("targetUri", ready.libvirtUri());
            request.put("migrationUri", address);
            request.put("consoleTo", ready.console());
            // one host: the disk is literally the same file, which libvirt cannot see is shared
            request.put("unsafe", node.equals(targetNode));
            request.put("maxDowntimeMillis", settings.maxDowntimeMillis());
            request.put("bandwidthMiBps", settings.bandwidthMiBps());
            request.put("completionTimeoutSeconds", settings.completionTimeoutPerGiB() * Math.max(1, memoryGiB(vmi)));
            request.put("progressTimeoutSeconds", settings.progressTimeoutSeconds());
            String now = clock.instant().toString();
            editMigration(vmi, uid, (status, m) -> {
                m.targetNodeAddress = address;
                m.targetNode = targetNode;
                m.startTimestamp = now;
            });
            try {
                source.post("migrate", request);
            } catch (IOException e) {
                editMigration(vmi, uid, (status, m) -> {
                    m.failed = true;
                    m.failureReason = "the source launcher refused the migration: " + e.getMessage();
                    m.endTimestamp = clock.instant().toString();
                });
                return;
            }
            LOG.info(() -> namespace + "/" + vmi.getMetadata().getName() + ": migrating to " + migration.targetPod + " via " + address);
            return;
        }
        Map<String, Object> outcome = source.status().migration();
        String phase = outcome == null ? null : (String) outcome.get("phase");
        if (Boolean.TRUE.equals(migration.abortRequested) && "Running".equals(phase)) {
            source.post("migrate?abort");
            return;
        }
        if ("Succeeded".equals(phase)) {
            editMigration(vmi, uid, (status, m) -> {
                m.completed = true;
                m.endTimestamp = (String) outcome.get("endTimestamp");
                m.downtimeMillis = outcome.get("downtimeMillis") instanceof Number n ? n.longValue() : null;
                m.totalMillis = outcome.get("totalMillis") instanceof Number n ? n.longValue() : null;
                m.callMillis = outcome.get("callMillis") instanceof Number n ? n.longValue() : null;
                status.launcherPod = m.targetPod;
                if (m.targetNode != null) {
                    status.nodeName = m.targetNode;
                }
            });
            LOG.info(() -> namespace + "/" + vmi.getMetadata().getName() + ": migrated to " + migration.targetPod + ", downtime "
                    + outcome.get("downtimeMillis") + " ms, total " + outcome.get("totalMillis") + " ms");
        } else if ("Failed".equals(phase)) {
            editMigration(vmi, uid, (status, m) -> {
                m.failed = true;
                m.failureReason = (String) outcome.get("message");
                m.endTimestamp = (String) outcome.get("endTimestamp");
            });
        }
    }

    private Pod pod(String namespace, String name) {
        return name == null ? null : launchers.getStore().getByKey(namespace + "/" + name);
    }

    private static long memoryGiB(VirtualMachineInstance vmi) {
        var domain = vmi.getSpec().domain;
        io.fabric8.kubernetes.api.model.Quantity memory = domain == null ? null : domain.memory != null && domain.memory.guest != null
                ? domain.memory.guest : domain.resources != null && domain.resources.requests != null
                        ? domain.resources.requests.get("memory") : null;
        if (memory == null) {
            return 1;
        }
        long bytes = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(memory).longValue();
        return (bytes + (1L << 30) - 1) >> 30;
    }

    private void editMigration(VirtualMachineInstance vmi, String uid,
            java.util.function.BiConsumer<VmiStatus, VmiStatus.MigrationState> change) {
        client.resources(VirtualMachineInstance.class).inNamespace(vmi.getMetadata().getNamespace())
                .withName(vmi.getMetadata().getName()).editStatus(current -> {
                    VmiStatus status = current.getStatus();
                    if (status != null && status.migrationState != null && uid.equals(status.migrationState.migrationUid)) {
                        change.accept(status, status.migrationState);
                    }
                    return current;
                });
    }

    private VmiStatus.Condition condition(VirtualMachineInstance vmi, String type, String status, String reason, String message) {
        VmiStatus.Condition c = new VmiStatus.Condition(type, status, reason, message);
        VmiStatus.Condition before = vmi.getStatus().conditions == null ? null : vmi.getStatus().conditions.stream()
                .filter(x -> type.equals(x.type)).findFirst().orElse(null);
        c.lastTransitionTime = before != null && status.equals(before.status) && before.lastTransitionTime != null
                ? before.lastTransitionTime : clock.instant().toString();
        c.lastProbeTime = null;
        return c;
    }

    private static boolean sameConditions(List<VmiStatus.Condition> a, List<VmiStatus.Condition> b) {
        if (b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            VmiStatus.Condition x = a.get(i);
            VmiStatus.Condition y = b.get(i);
            if (!Objects.equals(x.type, y.type) || !Objects.equals(x.status, y.status) || !Objects.equals(x.reason, y.reason)) {
                return false;
            }
        }
        return true;
    }

    private static String annotation(VirtualMachineInstance vmi, String key) {
        Map<String, String> annotations = vmi.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (vmis != null) {
            vmis.close();
            launchers.close();
        }
    }
}
