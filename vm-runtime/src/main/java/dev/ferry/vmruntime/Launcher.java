package dev.ferry.vmruntime;

import java.time.Duration;
import java.util.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/**
 * One VMI's domain through libvirt-java: define-and-start from a {@link DomainSpec}, report its
 * state, stop it gracefully (ACPI power button, then destroy once the grace period is over),
 * migrate it live to another launcher's daemon, or receive it from one.
 */
public final class Launcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());
    private final Connect libvirt;
    private Domain domain;

    /** Connects to libvirtd ({@code qemu:///system}); the message says how to get one running. */
    public Launcher(String uri) throws LauncherException {
        try {
            this.libvirt = new Connect(uri);
        } catch (LibvirtException e) {
            throw new LauncherException("cannot connect to libvirt at " + uri + " (" + e.getMessage()
                    + "); is libvirtd running? `make deps` configures and starts it on this machine", e);
        }
    }

    public void start(DomainSpec spec) throws LauncherException {
        String xml = DomainXml.render(spec);
        destroyLeftover(spec.name());
        try {
            domain = libvirt.domainCreateXML(xml, 0);
            LOG.info(() -> "started domain " + spec.name() + " (" + spec.accelerator() + ")");
        } catch (LibvirtException e) {
            throw new LauncherException("libvirt refused domain " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    /** The migration target's side: waits until the incoming domain {@code name} runs here. */
    public void adopt(String name, java.util.concurrent.CountDownLatch stop) throws LauncherException, InterruptedException {
        while (stop.getCount() > 0) {
            try {
                Domain incoming = libvirt.domainLookupByName(name);
                if (incoming.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_RUNNING) {
                    domain = incoming;
                    LOG.info(() -> "domain " + name + " arrived by live migration");
                    return;
                }
                incoming.free();
            } catch (LibvirtException notYet) {
                // the migration has not created it yet
            }
            stop.await(20, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /**
     * What a finished migration cost, from the completed job's statistics (QEMU's, through
     * libvirt): the guest's pause for the switch-over and the job's elapsed time; and the wall
     * time of the whole libvirt call (connecting, preparing the target QEMU, finishing).
     */
    public record MigrationStats(long downtimeMillis, long totalMillis, long callMillis, long dataBytes) {
    }

    /**
     * Live-migrates the domain to the daemon at {@code targetUri}, its memory over
     * {@code migrationUri} (tcp://host:port), its disks shared, not copied. {@code forTarget}
     * rewrites the domain XML for the target (this launcher's own files — console log, cloud-init
     * seed — become the target's). {@code unsafe}: the disk is the same
     * file on this host (libvirt cannot tell a local file is shared). Blocks until done.
     */
    public MigrationStats migrate(String targetUri, String migrationUri, java.util.function.UnaryOperator<String> forTarget,
            boolean unsafe, long maxDowntimeMillis, long bandwidthMiBps) throws LauncherException {
        Connect target = null;
        try {
            target = new Connect(targetUri);
            String xml = forTarget.apply(domain.getXMLDesc(Domain.XMLFlags.MIGRATABLE));
            if (maxDowntimeMillis > 0) {
                domain.migrateSetMaxDowntime(maxDowntimeMillis);
            }
            long flags = Domain.MigrateFlags.LIVE | (unsafe ? Domain.MigrateFlags.UNSAFE : 0);
            java.util.List<org.libvirt.TypedParameter> params = new java.util.ArrayList<>(java.util.List.of(
                    new org.libvirt.TypedStringParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_DEST_XML, xml),
                    new org.libvirt.TypedStringParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_URI, migrationUri)));
            if (bandwidthMiBps > 0) {
                params.add(new org.libvirt.TypedUlongParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_BANDWIDTH, bandwidthMiBps));
            }
            long started = System.nanoTime();
            Domain arrived = domain.migrate(target, params.toArray(new org.libvirt.TypedParameter[0]), flags);
            long call = (System.nanoTime() - started) / 1_000_000;
            long downtime = -1;
            long elapsed = -1;
            long data = -1;
            try {
                org.libvirt.DomainJobStats stats = arrived.getJobStats(1); // VIR_DOMAIN_JOB_STATS_COMPLETED
                for (org.libvirt.TypedParameter p : stats.stats) {
                    if ("downtime".equals(p.field)) {
                        downtime = Long.parseLong(p.getValueAsString());
                    } else if ("time_elapsed".equals(p.field)) {
                        elapsed = Long.parseLong(p.getValueAsString());
                    } else if ("data_total".equals(p.field)) {
                        data = Long.parseLong(p.getValueAsString());
                    }
                }
            } catch (LibvirtException | NumberFormatException e) {
                LOG.fine(() -> "no completed-job statistics: " + e.getMessage());
            }
            arrived.free();
            return new MigrationStats(downtime, elapsed < 0 ? call : elapsed, call, data);
        } catch (LibvirtException e) {
            throw new LauncherException("live migration failed: " + e.getMessage(), e);
        } finally {
            if (target != null) {
                try {
                    target.close();
                } catch (LibvirtException e) {
                    LOG.fine(() -> "closing the target connection: " + e.getMessage());
                }
            }
        }
    }

    /** Progress of the running migration job: bytes still to send, or -1 when none runs. */
    public long migrationRemaining() {
        try {
            org.libvirt.DomainJobInfo job = domain.getJobInfo();
            return job.getType() == 0 ? -1 : job.getDataRemaining();
        } catch (LibvirtException e) {
            return -1;
        }
    }

    /** Aborts the running migration; the guest keeps running here. */
    public void abortMigration() {
        try {
            domain.abortJob();
        } catch (LibvirtException e) {
            LOG.fine(() -> "abort: " + e.getMessage());
        }
    }

    /**
     * A domain of this name left running by a launcher that was killed outright (SIGKILL, node
     * agent crash): one VMI has one launcher at a time, so it is this VMI's old guest; it goes.
     */
    private void destroyLeftover(String name) {
        try {
            Domain old = libvirt.domainLookupByName(name);
            LOG.warning(() -> "domain " + name + " is still running from an earlier launcher; destroying it");
            old.destroy();
            old.free();
        } catch (LibvirtException none) {
            // no such domain: the usual case
        }
    }

    /** RUNNING, PAUSED, SHUTDOWN, SHUTOFF, CRASHED … or SHUTOFF once the domain is gone. */
    public DomainInfo.DomainState state() {
        try {
            return domain == null ? DomainInfo.DomainState.VIR_DOMAIN_SHUTOFF : domain.getInfo().state;
        } catch (LibvirtException gone) {
            return DomainInfo.DomainState.VIR_DOMAIN_SHUTOFF;
        }
    }

    public boolean running() {
        return state() == DomainInfo.DomainState.VIR_DOMAIN_RUNNING || state() == DomainInfo.DomainState.VIR_DOMAIN_PAUSED;
    }

    /** ACPI shutdown, then destroy after {@code grace}; returns true when the guest stopped by itself. */
    public boolean stop(Duration grace) throws LauncherException {
        if (domain == null || !running()) {
            return true;
        }
        try {
            domain.shutdown();
        } catch (LibvirtException e) {
            LOG.fine(() -> "ACPI shutdown refused: " + e.getMessage());
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && running()) {
            sleep();
        }
        if (!running()) {
            return true;
        }
        try {
            domain.destroy();
            return false;
        } catch (LibvirtException e) {
            if (!running()) {
                return false;
            }
            throw new LauncherException("cannot destroy the domain: " + e.getMessage(), e);
        }
    }

    /** Suspends the guest's vCPUs (memory stays). */
    public void pause() throws LauncherException {
        try {
            domain.suspend();
        } catch (LibvirtException e) {
            throw new LauncherException("cannot pause the domain: " + e.getMessage(), e);
        }
    }

    public void resume() throws LauncherException {
        try {
            domain.resume();
        } catch (LibvirtException e) {
            throw new LauncherException("cannot unpause the domain: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a guest agent command (QMP JSON, e.g. {@code {"execute":"guest-ping"}}) and returns its
     * JSON answer; fails when the agent does not answer within {@code timeoutSeconds}.
     */
    public String agentCommand(String command, int timeoutSeconds) throws LauncherException {
        try {
            return domain.qemuAgentCommand(command, timeoutSeconds, 0);
        } catch (LibvirtException e) {
            throw new LauncherException("the guest agent did not answer " + command + ": " + e.getMessage(), e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            if (domain != null) {
                domain.free();
            }
            libvirt.close();
        } catch (LibvirtException e) {
            LOG.fine(() -> "closing the libvirt connection: " + e.getMessage());
        }
    }

    /** A launcher failure with what to do about it. */
    public static final class LauncherException extends Exception {
        public LauncherException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
