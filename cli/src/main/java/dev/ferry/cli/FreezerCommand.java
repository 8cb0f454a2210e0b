package dev.ferry.cli;

import dev.ferry.worker.env.LauncherEnv;
import dev.ferry.worker.launcher.BackupHooks;
import dev.ferry.worker.launcher.LauncherClient;
import dev.ferry.worker.launcher.LauncherState;
import dev.ferry.worker.launcher.LauncherStatus;
import dev.ferry.worker.launcher.ThawResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry virt-freezer} — KubeVirt's virt-freezer, which Velero's backup hooks run in the
 * launcher container ({@link BackupHooks}; the launcher image installs it as
 * {@value BackupHooks#FREEZER}): freezes or thaws the guest's filesystems through the launcher
 * beside it. A guest that cannot be frozen — no guest agent, paused, not running — is logged and
 * left alone with exit 0, so a backup never fails for it (it is crash-consistent instead).
 */
@Command(name = "virt-freezer", mixinStandardHelpOptions = true,
        description = "Freeze or thaw a VMI's guest filesystems through the launcher in this container (Velero's backup hooks "
                + "run it). Exits 0 without freezing when the guest has no agent or is not running.")
final class FreezerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static final class Action {
        @Option(names = BackupHooks.FREEZE, required = true, description = "Freeze the guest's filesystems.")
        boolean freeze;

        @Option(names = BackupHooks.UNFREEZE, required = true, description = "Thaw them.")
        boolean unfreeze;
    }

    @Option(names = BackupHooks.NAME, required = true, paramLabel = "VMI", description = "The VMI (for the log).")
    String name;

    @Option(names = BackupHooks.NAMESPACE, required = true, paramLabel = "NS", description = "Its namespace (for the log).")
    String namespace;

    @Option(names = BackupHooks.UNFREEZE_TIMEOUT, paramLabel = "SECONDS",
            description = "Thaw by itself after this long if no --unfreeze comes (default: ${DEFAULT-VALUE}).")
    long unfreezeTimeoutSeconds = BackupHooks.DEFAULT_UNFREEZE_TIMEOUT_SECONDS;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String vmi = namespace + "/" + name;
        LauncherClient launcher = new LauncherClient("127.0.0.1", LauncherEnv.controlPort(System.getenv()));
        try {
            if (action.unfreeze) {
                ThawResult thawed = launcher.unfreeze();
                out.printf("virt-freezer: %s thawed%s%n", vmi, !thawed.wasFrozen() ? " (it was not frozen)"
                        : " after " + thawed.frozenMillis() + " ms frozen");
                return 0;
            }
            LauncherStatus status = launcher.status();
            if (status.state() != LauncherState.RUNNING) {
                out.printf("virt-freezer: %s is %s, not Running: not freezing (the backup is crash-consistent)%n", vmi,
                        status.state().label());
                return 0;
            }
            if (!Boolean.TRUE.equals(status.agentConnected())) {
                out.printf("virt-freezer: %s has no guest agent connected: not freezing (the backup is crash-consistent)%n", vmi);
                return 0;
            }
            launcher.freeze(Duration.ofSeconds(unfreezeTimeoutSeconds));
            out.printf("virt-freezer: %s frozen (thawed by --unfreeze, or by itself after %d s)%n", vmi, unfreezeTimeoutSeconds);
            return 0;
        } catch (IOException e) {
            err.printf("virt-freezer: %s: %s%n", vmi, e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
