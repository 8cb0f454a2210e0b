package dev.ferry.controllers.runtime.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * Leader election on a coordination.k8s.io Lease, so two controller replicas never both act:
 * only the holder runs the reconcilers; one that loses the lease stops them.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Leadership.class.getName());
    private final CompletableFuture<?> election;
    /** Starting or stopping the reconcilers takes a while (informers sync): never on the elector's thread, which renews the lease. */
    private final ExecutorService transitions;

    /** Starts campaigning; {@code lead} runs on winning, {@code stop} on losing (or giving up) the lease. */
    public Leadership(KubernetesClient client, String namespace, String lease, String identity, Duration leaseDuration,
            Runnable lead, Runnable stop) {
        Duration renew = leaseDuration.multipliedBy(2).dividedBy(3);
        Duration retry = leaseDuration.dividedBy(5);
        transitions = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "leadership-" + lease);
            thread.setDaemon(true);
            return thread;
        });
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(lease)
                .withLock(new LeaseLock(namespace, lease, identity))
                .withLeaseDuration(leaseDuration).withRenewDeadline(renew).withRetryPeriod(retry)
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    LOG.info(() -> identity + " leads " + namespace + "/" + lease);
                    transition(lead);
                }, () -> {
                    LOG.info(() -> identity + " no longer leads " + namespace + "/" + lease);
                    transition(stop);
                }, leader -> LOG.fine(() -> "leader of " + lease + " is " + leader)))
                .build()).build().start();
    }

    /** On the transitions' thread; inline once closing (the elector's last stop comes after). */
    private void transition(Runnable change) {
        try {
            transitions.execute(change);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            change.run();
        }
    }

    /** Gives the lease up (released, so another replica takes over at once), once any start or stop under way has ended. */
    @Override
    public void close() {
        election.cancel(true);
        transitions.shutdown();
        try {
            // a start still under way finishes (and the stop queued after it runs) before the caller closes the rest
            if (!transitions.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warning(() -> "starting or stopping the reconcilers did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
