package dev.lethe.run;

import dev.lethe.result.RunEvent;
import dev.lethe.result.RunListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Draws one progress bar per stage on a terminal: steps done, steps/s, the latest loss and the time
 * left. Redraws in place at most ten times a second; on a non-terminal (a log file, CI) it prints a line
 * at every tenth of the stage instead.
 */
public final class ConsoleProgress implements RunListener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean interactive;
    private long lastDraw;
    private long lastDecile = -1;

    /** Progress on {@code out}; {@code interactive} redraws in place with carriage returns. */
    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** Progress on standard error, redrawn in place when a console is attached. */
    public static ConsoleProgress toStandardError() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public void onEvent(RunEvent event) {
        if (event instanceof RunEvent.StageStarted s) {
            lastDecile = -1;
            lastDraw = 0;
            if (!interactive) {
                out.printf(Locale.ROOT, "%-9s started (%d steps)%n", s.stage(), s.totalSteps());
            }
        } else if (event instanceof RunEvent.Progress p) {
            long now = System.nanoTime();
            long decile = p.totalSteps() == 0 ? 10 : 10 * p.step() / p.totalSteps();
            boolean last = p.step() == p.totalSteps();
            if (interactive && (now - lastDraw > 100_000_000L || last)) {
                out.print("\r" + line(p));
                out.flush();
                lastDraw = now;
            } else if (!interactive && decile != lastDecile) {
                out.println(line(p));
                lastDecile = decile;
            }
        } else if (event instanceof RunEvent.StageFinished f) {
            if (interactive) {
                out.println();
            }
            String how = f.cached() ? "loaded from the cache or a checkpoint" : String.format(Locale.ROOT, "%.1f s", f.seconds());
            out.printf(Locale.ROOT, "%-9s done: %d steps, %s%s%n", f.stage(), f.stepsDone(), how,
                    f.stopReason().isEmpty() ? "" : " (stopped: " + f.stopReason() + ")");
        }
    }

    static String line(RunEvent.Progress p) {
        double frac = p.totalSteps() == 0 ? 1 : (double) p.step() / p.totalSteps();
        int filled = (int) Math.round(frac * WIDTH);
        double eta = p.stepsPerSecond() > 0 ? (p.totalSteps() - p.step()) / p.stepsPerSecond() : 0;
        String loss = Double.isNaN(p.loss()) ? "" : String.format(Locale.ROOT, " loss %.4f", p.loss());
        return String.format(Locale.ROOT, "%-9s [%s%s] %d/%d %.1f steps/s%s ETA %ds", p.stage(),
                "#".repeat(filled), ".".repeat(WIDTH - filled), p.step(), p.totalSteps(), p.stepsPerSecond(), loss,
                Math.round(eta));
    }
}
