package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.result.RunEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveProgressTest {
    /** Records what would be sent to the notebook. */
    private static final class Recorder implements LiveProgress.Display {
        final List<String> shown = new ArrayList<>();
        final List<String> updates = new ArrayList<>();

        @Override
        public void show(String html, String text) {
            shown.add(html);
        }

        @Override
        public void update(String html, String text) {
            updates.add(html);
        }
    }

    @Test
    void aThousandStepsAreDrawnAFewTimesInOneOutputThatEndsInTheFinalState() {
        Recorder r = new Recorder();
        LiveProgress p = new LiveProgress(r, "x");
        p.onEvent(new RunEvent.StageStarted("learn", 1000));
        for (int i = 1; i <= 1000; i++) {
            p.onEvent(new RunEvent.Progress("learn", i, 1000, 1.0 / i, 1e6));
        }
        p.onEvent(new RunEvent.StageFinished("learn", 0.5, 1000, "", false));
        p.onEvent(new RunEvent.StageStarted("evaluate", 4));
        p.onEvent(new RunEvent.Progress("evaluate", 4, 4, Double.NaN, 10));
        p.onEvent(new RunEvent.StageFinished("evaluate", 0.4, 4, "", false));
        assertEquals(1, r.shown.size(), "shown once");
        assertTrue(r.updates.size() >= 4 && r.updates.size() < 20, "throttled: " + r.updates.size() + " updates");
        assertEquals(r.shown.size() + r.updates.size(), p.draws());
        String last = r.updates.get(r.updates.size() - 1);
        assertTrue(last.contains("<th>learn</th><td><progress value=\"1000\" max=\"1000\">"), last);
        assertTrue(last.contains("<td>0.0010</td><td>done in 0.5 s</td>"), "the last loss stays beside the duration: " + last);
        assertTrue(last.contains("<th>evaluate</th>") && last.contains("done in 0.4 s"), last);
        assertTrue(r.shown.get(0).contains(">started</td>"));
    }

    @Test
    void aStoppedOrCachedStageSaysSo() {
        Recorder r = new Recorder();
        LiveProgress p = new LiveProgress(r, "x");
        p.onEvent(new RunEvent.StageStarted("learn", 10));
        p.onEvent(new RunEvent.StageFinished("learn", 0, 10, "", true));
        p.onEvent(new RunEvent.StageStarted("unlearn", 10));
        p.onEvent(new RunEvent.StageFinished("unlearn", 0.1, 3, "loss is NaN", false));
        String last = r.updates.get(r.updates.size() - 1);
        assertTrue(last.contains("loaded from cache"), last);
        assertTrue(last.contains("<progress value=\"3\" max=\"10\">") && last.contains("stopped: loss is NaN"), last);
    }

    @Test
    void outsideANotebookItSaysWhatIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class, LiveProgress::liveProgress);
        assertTrue(e.getMessage().contains("%use lethe"));
    }
}
