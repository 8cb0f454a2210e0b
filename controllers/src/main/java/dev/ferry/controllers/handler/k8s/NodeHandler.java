package dev.ferry.controllers.handler.k8s;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.handler.NodeDecision;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.vmi.LauncherAddress;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.worker.env.NodeHandlerEnv;
import dev.ferry.worker.launcher.LauncherClient;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.MigrationReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The node handler (one per node, as KubeVirt's virt-handler): for each VMI on its node it asks
 * the launcher how the domain is doing and carries the answer into the VMI status, carries pause
 * requests to the launcher, and drives migrations whose source is here — each step decided by
 * {@link NodeDecision}.
 */
public final class NodeHandler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeHandler.class.getName());

    private final KubernetesClient client;
    private final Apply apply;
    private final NodeHandlerEnv settings;
    private final Clock clock;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            dev.ferry.controllers.runtime.WorkQueue.daemon("ferry-node-handler"));
    private SharedIndexInformer<VirtualMachineInstance> vmis;
    /** Launcher Pods, read from a cache: the handler looks at them several times a second. */
    private SharedIndexInformer<Pod> launchers;

    public NodeHandler(KubernetesClient client, NodeHandlerEnv settings, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.settings = settings;
        this.clock = clock;
    }

    /** Watches VMIs and looks at this node's launchers every {@code period}. */
    public void start(Duration period) {
        vmis = client.resources(VirtualMachineInstance.class).inAnyNamespace().inform();
        launchers = client.pods().inAnyNamespace().withLabel(LauncherPodBuilder.LABEL_KUBEVIRT, LauncherPodBuilder.LAUNCHER).inform();
        ticker.scheduleWithFixedDelay(this::syncAll, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean synced() {
        return vmis != null && vmis.hasSynced() && launchers.hasSynced();
    }

    private void syncAll() {
        for (VirtualMachineInstance vmi : vmis.getStore().list()) {
            VmiStatus status = vmi.getStatus();
            if (status == null || !settings.nodeName().equals(status.nodeName) || status.launcherPod == null
                    || !(VmiStatus.SCHEDULED.equals(status.phase) || VmiStatus.RUNNING.equals(status.phase))) {
                continue;
            }
            try {
                if (NodeDecision.migratingFrom(vmi, settings.nodeName())) {
                    migrate(vmi, status.migrationState);
                } else {
                    report(vmi);
                }
            } catch (IOException | KubernetesClientException e) {
                LOG.fine(() -> vmi.getMetadata().getName() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.warning(() -> vmi.getMetadata().getName() + ": " + e);
            }
        }
    }

    /** The launcher's state into the VMI status, the pause request into the launcher. */
    private void report(VirtualMachineInstance vmi) throws IOException {
        Pod pod = pod(vmi, vmi.getStatus().launcherPod);
        LauncherClient launcher = LauncherAddress.client(pod);
        if (launcher == null) {
            return;
        }
        LauncherStatus reported = launcher.status();
        NodeDecision.LauncherAction action = NodeDecision.action(vmi, reported.state());
        if (action == NodeDecision.LauncherAction.PAUSE) {
            launcher.pause();
        } else if (action == NodeDecision.LauncherAction.UNPAUSE) {
            launcher.unpause();
        }
        LauncherStatus now = action == NodeDecision.LauncherAction.NONE ? reported : launcher.status();
        NodeDecision.GuestStatus wanted = NodeDecision.guestStatus(vmi, now, clock.instant());
        if (wanted == null) {
            return;
        }
        apply.editStatus(vmi, current -> {
            if (current.getStatus() != null && settings.nodeName().equals(current.getStatus().nodeName)) {
                current.getStatus().phase = VmiStatus.RUNNING;
                current.getStatus().accelerator = wanted.accelerator();
                current.getStatus().conditions = wanted.conditions();
                current.getStatus().fsFreezeStatus = wanted.fsFreezeStatus();
            }
            return current;
        });
        LOG.info(() -> vmi.getMetadata().getNamespace() + "/" + vmi.getMetadata().getName() + ": " + now.state().label() + " ("
                + wanted.accelerator() + ")");
    }

    /**
     * The source side of a migration: once the target launcher waits for the guest, tell the source
     * launcher to send it, then record the outcome.
     */
    private void migrate(VirtualMachineInstance vmi, VmiStatus.MigrationState migration) throws IOException {
        LauncherClient source = LauncherAddress.client(pod(vmi, migration.sourcePod));
        if (source == null) {
            return;
        }
        if (migration.startTimestamp == null) {
            Pod targetPod = pod(vmi, migration.targetPod);
            LauncherClient target = LauncherAddress.client(targetPod);
            if (Boolean.TRUE.equals(migration.abortRequested) || target == null) {
                return;
            }
            LauncherStatus ready = target.status();
            if (NodeDecision.targetReady(ready)) {
                start(vmi, source, targetPod, ready);
            }
            return;
        }
        MigrationReport outcome = source.status().migration();
        if (outcome == null || outcome.phase() == MigrationReport.Phase.Running) {
            if (outcome != null && Boolean.TRUE.equals(migration.abortRequested)) {
                source.abortMigration();
            }
            return;
        }
        editMigration(vmi, migration.migrationUid, status -> NodeDecision.record(status, outcome));
        LOG.info(() -> vmi.getMetadata().getName() + ": migration " + outcome.phase() + " (downtime " + outcome.downtimeMillis()
                + " ms, total " + outcome.totalMillis() + " ms" + (outcome.message() == null ? "" : ", " + outcome.message()) + ")");
    }

    private void start(VirtualMachineInstance vmi, LauncherClient source, Pod targetPod, LauncherStatus ready) {
        String address = "tcp://" + targetPod.getStatus().getPodIP() + ":" + ready.migrationPort();
        String targetNode = targetPod.getSpec().getNodeName();
        String now = clock.instant().toString();
        String uid = vmi.getStatus().migrationState.migrationUid;
        editMigration(vmi, uid, status -> {
            status.migrationState.targetNodeAddress = address;
            status.migrationState.targetNode = targetNode;
            status.migrationState.startTimestamp = now;
        });
        try {
            source.migrate(NodeDecision.request(vmi, ready, address, settings.nodeName().equals(targetNode), settings));
            LOG.info(() -> vmi.getMetadata().getName() + ": migrating to " + targetPod.getMetadata().getName() + " via " + address);
        } catch (IOException e) {
            editMigration(vmi, uid, status -> {
                status.migrationState.failed = true;
                status.migrationState.failureReason = "the source launcher refused the migration: " + e.getMessage();
                status.migrationState.endTimestamp = clock.instant().toString();
            });
        }
    }

    private Pod pod(VirtualMachineInstance vmi, String name) {
        return name == null ? null : launchers.getStore().getByKey(vmi.getMetadata().getNamespace() + "/" + name);
    }

    private void editMigration(VirtualMachineInstance vmi, String uid, java.util.function.Consumer<VmiStatus> change) {
        apply.editStatus(vmi, current -> {
            VmiStatus status = current.getStatus();
            if (status != null && status.migrationState != null && uid.equals(status.migrationState.migrationUid)) {
                change.accept(status);
            }
            return current;
        });
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
