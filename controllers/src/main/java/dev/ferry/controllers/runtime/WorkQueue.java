package dev.ferry.controllers.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keys to reconcile, de-duplicated, handled one at a time by one thread (an object is never
 * reconciled twice at once). The queue keeps the retry state (failures in a row per key); the
 * {@link RetryPolicy} decides when to try again. A reconcile may ask to be called again later.
 */
public final class WorkQueue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkQueue.class.getName());

    private final Set<ObjectKey> pending = new LinkedHashSet<>();
    private final Map<ObjectKey, Integer> failures = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final Thread worker;
    private final Reconciler reconciler;
    private final RetryPolicy retries;
    private volatile boolean closed;

    public WorkQueue(String name, Reconciler reconciler, RetryPolicy retries) {
        this.reconciler = reconciler;
        this.retries = retries;
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon(name + "-requeue"));
        this.worker = daemon(name).newThread(this::run);
        worker.start();
    }

    public synchronized void add(ObjectKey key) {
        if (pending.add(key)) {
            notifyAll();
        }
    }

    public void addAfter(ObjectKey key, Duration delay) {
        if (!closed) {
            timer.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized ObjectKey take() throws InterruptedException {
        while (pending.isEmpty()) {
            wait();
        }
        ObjectKey key = pending.iterator().next();
        pending.remove(key);
        return key;
    }

    private void run() {
        while (!closed) {
            ObjectKey key;
            try {
                key = take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                Duration again = reconciler.reconcile(key);
                failures.remove(key);
                if (again != null) {
                    addAfter(key, again);
                }
            } catch (RuntimeException e) {
                int attempt = failures.merge(key, 1, Integer::sum);
                Duration wait = retries.delay(e, attempt);
                String kind = retries.permanent(e) ? "cannot proceed" : "reconcile failed (attempt " + attempt + ")";
                LOG.log(Level.WARNING, key + ": " + kind + ", looking again in " + wait.toSeconds() + " s: " + e.getMessage(),
                        LOG.isLoggable(Level.FINE) ? e : null);
                addAfter(key, wait);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        timer.shutdownNow();
    }

    public static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
