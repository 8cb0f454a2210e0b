package dev.ferry.cli;

import dev.ferry.disk.Sizes;
import dev.ferry.disk.progress.TransferProgress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A one-line terminal progress bar: percent, bytes, rate and ETA, redrawn a few times a second. */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;

    private final TransferProgress progress;
    private final PrintStream out;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService timer;

    private ProgressBar(TransferProgress progress, PrintStream out, boolean enabled) {
        this.progress = progress;
        this.out = out;
        this.timer = enabled ? Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().unstarted(r)) : null;
        if (timer != null) {
            timer.scheduleAtFixedRate(this::draw, 200, 250, TimeUnit.MILLISECONDS);
        }
    }

    static ProgressBar start(TransferProgress progress, boolean enabled) {
        return new ProgressBar(progress, System.err, enabled);
    }

    void complete() {
        if (timer != null) {
            timer.shutdownNow();
            draw();
        }
    }

    static String render(double percent, long done, long total, double bytesPerSecond, long read) {
        StringBuilder line = new StringBuilder("\r[");
        int filled = percent < 0 ? 0 : (int) Math.round(percent / 100 * WIDTH);
        line.append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
        line.append(percent < 0 ? "  ?  " : String.format(Locale.ROOT, "%5.1f%%", percent));
        line.append("  ").append(Sizes.human(done));
        if (total > 0) {
            line.append(" / ").append(Sizes.human(total));
        }
        line.append("  ").append(Sizes.human((long) bytesPerSecond)).append("/s");
        line.append("  read ").append(Sizes.human(read));
        if (percent > 0 && percent < 100 && bytesPerSecond > 0 && total > 0) {
            long eta = (long) ((total - done) / bytesPerSecond);
            line.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
        }
        return line.append("   ").toString();
    }

    private void draw() {
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long done = progress.writtenBytes();
        out.print(render(progress.percent(), done, progress.diskTotal(), done / seconds, progress.sourceBytes()));
        out.flush();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            out.println();
        }
    }
}
