package dev.ferry.vmruntime;

import java.time.Duration;
import java.util.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/**
 * One VMI's domain through libvirt-java: define-and-start from a {@link DomainSpec}, report its
 * state, stop it gracefully (ACPI power button, then destroy once the grace period is over).
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
        LauncherException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
