package dev.ferry.vmruntime.testing;

import dev.ferry.vmruntime.app.LauncherMain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Launchers under test, each on its own thread (the common pool has one thread on a 2-core
 * machine, shared by parallel test classes). {@link #stopAll()} (after each test) stops whatever
 * a failed assertion left running, so no libvirtd or QEMU outlives the test.
 */
public final class Launchers {
    private final List<CountDownLatch> stops = new ArrayList<>();
    private final List<CompletableFuture<Integer>> runs = new ArrayList<>();

    public CompletableFuture<Integer> start(Map<String, String> env, CountDownLatch stop) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread thread = new Thread(() -> exit.complete(LauncherMain.run(env, stop)), "launcher-under-test");
        thread.setDaemon(true);
        thread.start();
        stops.add(stop);
        runs.add(exit);
        return exit;
    }

    public void stopAll() throws Exception {
        stops.forEach(CountDownLatch::countDown);
        for (CompletableFuture<Integer> run : runs) {
            run.get(90, TimeUnit.SECONDS);
        }
    }
}
