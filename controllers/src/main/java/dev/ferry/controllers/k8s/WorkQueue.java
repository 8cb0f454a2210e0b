package dev.ferry.controllers.k8s;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keys to reconcile, de-duplicated, handled one at a time by one thread (so a DataVolume is
 * never reconciled twice at once). Failures are retried with backoff (1 s doubling to 60 s);
 * a reconcile may ask to be called again later.
 */
final class WorkQueue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkQueue.class.getName());
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);

    private final Set<String> pending = new LinkedHashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("ferry-requeue"));
    private final Thread worker;
    private final Function<String, Duration> reconcile;
    private volatile boolean closed;

    WorkQueue(String name, Function<String, Duration> reconcile) {
        this.reconcile = reconcile;
        this.worker = daemon(name).newThread(this::run);
        worker.start();
    }

    synchronized void add(String key) {
        if (pending.add(key)) {
            notifyAll();
        }
    }

    void addAfter(String key, Duration delay) {
        timer.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized String take() throws InterruptedException {
        while (pending.isEmpty()) {
            wait();
        }
        String key = pending.iterator().next();
        pending.remove(key);
        return key;
    }

    private void run() {
        while (!closed) {
            String key;
            try {
                key = take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                Duration again = reconcile.apply(key);
                failures.remove(key);
                if (again != null) {
                    addAfter(key, again);
                }
            } catch (RuntimeException e) {
                int attempt = failures.merge(key, 1, Integer::sum);
                Duration delay = Duration.ofSeconds(1L << Math.min(attempt - 1, 6));
                Duration wait = delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
                LOG.log(Level.WARNING, key + ": reconcile failed (attempt " + attempt + "), retrying in "
                        + wait.toSeconds() + " s: " + e.getMessage(), LOG.isLoggable(Level.FINE) ? e : null);
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

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
