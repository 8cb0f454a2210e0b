package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1.0",
        description = "KubeVirt storage and VM data plane: import, upload, clone and run VM disks.",
        subcommands = {ImportCommand.class, ImageUploadCommand.class, LocalCommand.class, ClientCommands.Apply.class,
                ClientCommands.Get.class, ClientCommands.Delete.class, ClientCommands.Wait.class, ClientCommands.Logs.class,
                VmCommands.Start.class, VmCommands.Stop.class, VmCommands.Restart.class, VmCommands.Pause.class,
                VmCommands.Unpause.class, VmCommands.Migrate.class, VmCommands.Console.class, UploadTokenCommand.class, WorkerCommand.class,
                FreezerCommand.class, VmExportCommand.class})
public final class Ferry {
    /** fabric8 warns on every v1beta1 call (CDI's API version): a user can do nothing about it. */
    private static final java.util.logging.Logger VERSION_WARNINGS =
            java.util.logging.Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

    static {
        VERSION_WARNINGS.setLevel(java.util.logging.Level.SEVERE);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Ferry());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ferry: " + Failures.describe(e));
            return 1;
        });
        return commandLine;
    }
}
