package dev.ferry.controllers.testing;

import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.worker.env.WorkerImages;
import java.util.function.Supplier;

/** Controller settings for tests: images named after the test, fixed Pod name suffixes. */
public final class Settings {
    public static final WorkerImages IMAGES = new WorkerImages("ferry/importer:t", "ferry/upload-server:t", "ferry/launcher:t", "ferry/clone-source:t",
            "ferry/export-server:t");

    private Settings() {
    }

    public static WorkerSettings workers() {
        return WorkerSettings.defaults(IMAGES);
    }

    public static VmSettings vms() {
        return VmSettings.defaults(IMAGES.launcher());
    }

    /** Pod name suffixes a, b, c … (randomness is injected, so tests can name what they expect). */
    public static Supplier<String> suffixes() {
        int[] next = {0};
        return () -> String.valueOf((char) ('a' + next[0]++ % 26)) + "0000";
    }
}
