package dev.lethe.kernel;

import dev.lethe.result.RunEvent;
import dev.lethe.result.RunListener;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A run's progress as one notebook output that is updated in place: a row per stage with a progress bar, steps
 * done, speed, the latest loss and the time left (or the stage's duration once it finished). Redrawn at most
 * four times a second and at every stage boundary, so a 1000-step stage costs a few dozen updates, not a
 * thousand lines. In a notebook: {@code recipe.run(liveProgress())}.
 */
public final class LiveProgress implements RunListener {
    private static final long MIN_NANOS_BETWEEN_DRAWS = 250_000_000L;

    private final Display display;
    private final String id;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private long lastDraw;
    private boolean shown;
    private int draws;

    /**
     * Where the progress goes: {@code show(html, text)} on the first draw, {@code update(html, text)} after.
     */
    public interface Display {
        /** Shows the output for the first time. */
        void show(String html, String text);

        /** Replaces the output shown before. */
        void update(String html, String text);
    }

    /** Progress drawn into {@code display}; {@code id} names the output. */
    public LiveProgress(Display display, String id) {
        this.display = display;
        this.id = id;
    }

    /**
     * Progress for the cell that is running now, shown with the kernel's display id mechanism.
     *
     * @throws IllegalStateException outside a notebook that ran {@code %use lethe}
     */
    public static LiveProgress liveProgress() {
        DisplayChannel channel = DisplayChannel.current();
        if (channel == null || channel.request() == null) {
            throw new IllegalStateException("liveProgress() needs a Kotlin notebook that ran %use lethe");
        }
        String id = "lethe-progress-" + UUID.randomUUID();
        return new LiveProgress(new Display() {
            @Override
            public void show(String html, String text) {
                channel.send(id, Map.of("text/html", html, "text/plain", text), false);
            }

            @Override
            public void update(String html, String text) {
                channel.send(id, Map.of("text/html", html, "text/plain", text), true);
            }
        }, id);
    }

    /** The output's id. */
    public String id() {
        return id;
    }

    /** How many times the output was drawn (shown or updated). */
    public int draws() {
        return draws;
    }

    @Override
    public void onEvent(RunEvent event) {
        boolean boundary = false;
        if (event instanceof RunEvent.StageStarted s) {
            put(s.stage(), 0, s.totalSteps(), "", "started");
            boundary = true;
        } else if (event instanceof RunEvent.Progress p) {
            double eta = p.stepsPerSecond() > 0 ? (p.totalSteps() - p.step()) / p.stepsPerSecond() : 0;
            String loss = Double.isNaN(p.loss()) ? "" : String.format(Locale.ROOT, "%.4f", p.loss());
            put(p.stage(), p.step(), p.totalSteps(), loss,
                    String.format(Locale.ROOT, "%.1f steps/s, ETA %d s", p.stepsPerSecond(), Math.round(eta)));
            boundary = p.step() == p.totalSteps();
        } else if (event instanceof RunEvent.StageFinished f) {
            String how = f.cached() ? "loaded from cache" : String.format(Locale.ROOT, "done in %.1f s", f.seconds());
            if (!f.stopReason().isEmpty()) {
                how += " — stopped: " + f.stopReason();
            }
            put(f.stage(), f.stepsDone(), -1, "", how);
            boundary = true;
        }
        long now = System.nanoTime();
        if (boundary || now - lastDraw >= MIN_NANOS_BETWEEN_DRAWS) {
            draw();
            lastDraw = now;
        }
    }

    /** One stage's line: steps done of {@code max}, the latest loss (or empty), and a status. */
    private record Row(String stage, long step, long max, String loss, String status) {
        String html() {
            return "<tr><th>" + NotebookHtml.escape(stage) + "</th><td><progress value=\"" + Math.min(step, max)
                    + "\" max=\"" + max + "\"></progress></td><td>" + step + "/" + max + "</td><td>" + loss
                    + "</td><td>" + NotebookHtml.escape(status) + "</td></tr>";
        }

        String text() {
            return stage + " " + step + "/" + max + (loss.isEmpty() ? "" : " loss " + loss) + " " + status;
        }
    }

    /** Updates a stage's line; a negative {@code total} keeps the total it had. */
    private void put(String stage, long step, long total, String loss, String status) {
        Row before = rows.get(stage);
        long max = total >= 0 ? total : before == null ? step : before.max();
        String lastLoss = loss.isEmpty() && before != null ? before.loss() : loss;
        rows.put(stage, new Row(stage, step, max, lastLoss, status));
    }

    private void draw() {
        StringBuilder html = new StringBuilder("<table class=\"lethe lethe-progress\"><thead><tr><th>stage</th>"
                + "<th>progress</th><th>steps</th><th>loss</th><th></th></tr></thead><tbody>");
        StringBuilder text = new StringBuilder();
        for (Row r : rows.values()) {
            html.append(r.html());
            text.append(r.text()).append('\n');
        }
        html.append("</tbody></table>");
        if (shown) {
            display.update(html.toString(), text.toString());
        } else {
            display.show(html.toString(), text.toString());
            shown = true;
        }
        draws++;
    }
}
