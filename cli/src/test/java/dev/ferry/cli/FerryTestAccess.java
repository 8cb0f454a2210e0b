package dev.ferry.cli;

/** Runs the ferry command line in-process, for tests in other packages. */
public final class FerryTestAccess {
    private FerryTestAccess() {
    }

    public static int run(String... args) {
        return Ferry.commandLine().execute(args);
    }

    /** Runs a command; returns its exit code, standard output and error output. */
    public static Result capture(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine commandLine = Ferry.commandLine();
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Runs a command against the cluster of {@code kubeconfig} (local mode's). */
    public static Result capture(java.nio.file.Path kubeconfig, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = kubeconfig.toString();
        return capture(all);
    }

    public record Result(int exit, String out, String err) {
    }
}
