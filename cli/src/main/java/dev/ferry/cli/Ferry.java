package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1.0",
        description = "KubeVirt storage and VM data plane: import, upload, clone and run VM disks.",
        subcommands = {ImportCommand.class, ImageUploadCommand.class, UploadTokenCommand.class, WorkerCommand.class})
public final class Ferry {
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
