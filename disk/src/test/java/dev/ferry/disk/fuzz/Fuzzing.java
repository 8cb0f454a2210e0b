package dev.ferry.disk.fuzz;

/** What the fuzz targets share. */
final class Fuzzing {
    /**
     * Where a fuzzing run stops if its duration has not stopped it first: CI's 60 s runs end on
     * time, {@code make fuzz-long} (no time limit to speak of) on this count.
     */
    static final long LONG_RUN_EXECUTIONS = 10_000_000;

    private Fuzzing() {
    }
}
