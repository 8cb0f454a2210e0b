package dev.ferry.cloner.app;

import java.util.Map;

/** The clone source worker's entry point without System.exit, for tests in other packages. */
public final class CloneSourceMainAccess {
    private CloneSourceMainAccess() {
    }

    public static int run(Map<String, String> env) {
        return CloneSourceMain.run(env);
    }
}
