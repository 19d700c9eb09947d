package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.result.RunEvent;
import dev.lethe.run.EventLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refined schedule's ℓ1 variant (Defazio et al. 2023) by hand, and the refined schedule derived from the
 * gradient norms a run's event log keeps.
 */
class RefinedFromRunTest {
    @TempDir
    Path dir;

    @Test
    void theL1VariantWeighsStepsByTheInverseL1Norm() {
        // ‖g‖₁ = (1, 2, 2): w = 1/‖g‖₁ = (1, 0.5, 0.5); tails Σ_{s>t} w_s = (1, 0.5, 0);
        // η ∝ (1·1, 0.5·0.5, 0) = (1, 0.25, 0), peak 1, times η = 3
        Schedule l1 = Schedules.refined(3.0, new double[] {1, 2, 2}, 1, Schedules.Norm.L1);
        assertEquals(3.0, l1.at(0, 3), 1e-12);
        assertEquals(0.75, l1.at(1, 3), 1e-12);
        assertEquals(0.0, l1.at(2, 3), 1e-12);
        // the same norms as ℓ2: w = (1, 0.25, 0.25), tails (0.5, 0.25, 0), η ∝ (0.5, 0.0625, 0): (3, 0.375, 0)
        Schedule l2 = Schedules.refined(3.0, new double[] {1, 2, 2}, 1, Schedules.Norm.L2);
        assertEquals(3.0, l2.at(0, 3), 1e-12);
        assertEquals(0.375, l2.at(1, 3), 1e-12);
    }

    @Test
    void aRefinedScheduleIsDerivedFromTheNormsARunLogged() throws IOException {
        Path events = dir.resolve("events.jsonl");
        EventLog log = new EventLog(events);
        log.onEvent(new RunEvent.StageStarted("unlearn", 3));
        log.onEvent(new RunEvent.Progress("unlearn", 1, 3, 0.5, 10, 1, 1));
        log.onEvent(new RunEvent.Progress("unlearn", 2, 3, 0.4, 10, 2, 2));
        log.onEvent(new RunEvent.Progress("other", 1, 1, 0.4, 10, 100, 100));
        // a continued run redoes step 3 (and the last line of a step wins)
        log.onEvent(new RunEvent.Progress("unlearn", 3, 3, 0.3, 10, 9, 9));
        log.onEvent(new RunEvent.Progress("unlearn", 3, 3, 0.3, 10, 2, 2));
        log.onEvent(new RunEvent.Progress("evaluate", 1, 1, Double.NaN, 10));
        log.flush();
        String text = Files.readString(events);
        assertTrue(text.contains("\"grad_norm\":2.0") && text.contains("\"grad_l1_norm\":2.0"), text);
        assertTrue(text.lines().filter(l -> l.contains("evaluate")).noneMatch(l -> l.contains("grad_")), text);
        // the hand-computed schedules of the test above, from the log (file or run directory)
        Schedule l1 = Schedules.refinedFromRun(events, "unlearn", 3.0, 1, Schedules.Norm.L1);
        assertEquals(0.75, l1.at(1, 3), 1e-12);
        Schedules.RefinedFromRun lazy = new Schedules.RefinedFromRun(dir, "unlearn", 3.0, 1, Schedules.Norm.L2);
        assertEquals(0.375, lazy.at(1, 3), 1e-12);
        assertEquals(lazy, Schedules.RefinedFromRun.KIND.create(Map.of("events", dir, "lr", 3.0)));
        assertEquals("{refined_from_run: {events: " + dir + ", stage: unlearn, lr: 3.0, median_width: 1, norm: l2}}",
                lazy.toString());
    }

    @Test
    void aLogWithoutNormsIsRefusedNamingTheFileAndLine() throws IOException {
        Path events = dir.resolve("events.jsonl");
        Files.writeString(events, "{\"event\":\"stage_started\",\"stage\":\"unlearn\",\"total_steps\":2}\n"
                + "{\"event\":\"progress\",\"stage\":\"unlearn\",\"step\":1,\"loss\":1.0,\"grad_norm\":1.0}\n"
                + "{\"event\":\"progress\",\"stage\":\"unlearn\",\"step\":2,\"loss\":1.0}\n");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Schedules.refinedFromRun(events, "unlearn", 1, 1, Schedules.Norm.L2));
        assertTrue(missing.getMessage().contains(events + ", line 3") && missing.getMessage().contains("grad_norm"),
                missing.getMessage());
        IllegalArgumentException stage = assertThrows(IllegalArgumentException.class,
                () -> Schedules.refinedFromRun(events, "learn", 1, 1, Schedules.Norm.L2));
        assertTrue(stage.getMessage().contains("[unlearn]"), stage.getMessage());
        Files.writeString(events, "{\"event\":\"progress\",\"stage\":\"unlearn\",\"step\":2,\"grad_norm\":1.0}\nnot json\n");
        IllegalArgumentException json = assertThrows(IllegalArgumentException.class,
                () -> Schedules.refinedFromRun(events, "unlearn", 1, 1, Schedules.Norm.L2));
        assertTrue(json.getMessage().contains("line 2"), json.getMessage());
        Files.writeString(events, "{\"event\":\"progress\",\"stage\":\"unlearn\",\"step\":2,\"grad_norm\":1.0}\n");
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
                () -> Schedules.refinedFromRun(events, "unlearn", 1, 1, Schedules.Norm.L2));
        assertTrue(gap.getMessage().contains("step 1"), gap.getMessage());
    }
}
