package dev.ferry.controllers.vm;

import dev.ferry.api.kubevirt.v1.VmSpec;
import java.time.Duration;

/** KubeVirt's run strategies and start back-off, without the API. */
public final class RunStrategy {
    private static final long MAX_BACKOFF_SECONDS = 300;

    private RunStrategy() {
    }

    /** spec.runStrategy, or what spec.running means; a message naming the mistake when the spec has both or neither is valid. */
    public static String of(VmSpec spec) {
        if (spec.running != null && spec.runStrategy != null) {
            throw new IllegalArgumentException("spec.running and spec.runStrategy are mutually exclusive; keep one");
        }
        if (spec.runStrategy == null) {
            return Boolean.TRUE.equals(spec.running) ? VmSpec.ALWAYS : VmSpec.HALTED;
        }
        if (!VmSpec.RUN_STRATEGIES.contains(spec.runStrategy)) {
            throw new IllegalArgumentException("spec.runStrategy " + spec.runStrategy + " is not one of " + VmSpec.RUN_STRATEGIES);
        }
        return spec.runStrategy;
    }

    /** KubeVirt's start-failure back-off: 10 s × retries², at most 300 s. */
    public static Duration backoff(int retries) {
        long seconds = 10L * retries * retries;
        return Duration.ofSeconds(Math.min(MAX_BACKOFF_SECONDS, Math.max(0, seconds)));
    }
}
