package dev.ferry.cli;

/** Runs the ferry command line in-process, for tests in other packages. */
public final class FerryTestAccess {
    private FerryTestAccess() {
    }

    public static int run(String... args) {
        return Ferry.commandLine().execute(args);
    }
}
