package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run that crashes at any point and is continued from its checkpoints ends with the metrics of a run that
 * never crashed, byte for byte. The crash is a listener throwing at a chosen progress event (in-process, so
 * every stage and step can be hit exactly); {@code KillResumeTest} does the same with {@code kill -9}.
 */
class CheckpointResumeTest {
    /** The tiny model and benchmark every recipe here runs on. */
    private static final String TINY = """
            model:
              gpt: {layers: 2, width: 32, heads: 2, context_length: 32}
            data:
              fictitious_facts: {people: 8, forget_fraction: 0.25, holdout_people: 2, facts_per_person: 3, world_countries: 2, real_authors: 2}
            """;

    /**
     * Reference model, sequential requests, continual evaluation, AdamW, a relearning attack, gradient accumulation
     * (learn and unlearn).
     */
    static final String SEQUENTIAL = "name: resume-sequential\n" + TINY + """
            stages:
              - learn: {steps: 12, batch_size: 8, accumulate: 2}
              - reference: {steps: 12, batch_size: 8}
              - unlearn:
                  objective: {plus: [{npo: {beta: 0.1}}, {nll: {splits: [retain]}}]}
                  steps: 6
                  batch_size: 4
                  accumulate: 2
                  requests: 2
                  continual: {every: 2, suites: [answers], splits: [forget]}
              - attack:
                  attacks:
                    - relearn: {steps: 3, examples: 2, lr: 1.0e-3}
                  continual: {every: 2, suites: [answers], splits: [forget]}
              - evaluate:
                  suites: [answers]
                  splits: [forget, retain]
            """;

    /**
     * State everywhere: stateful objectives (concept correction's discriminator, PDU's dual variable; AltPO's
     * alternates are sampled again from the reference after a resume), momentum and an SNR
     * history in the optimizer, LoRA adapters (the checkpoint holds the adapters, the base is the learned model).
     */
    static final String STATEFUL = "name: resume-stateful\n" + TINY + """
            stages:
              - learn: {steps: 10, batch_size: 8}
              - unlearn:
                  objective:
                    plus:
                      - concept_correction: {anchor: holdout, layer: last, learning_rate: 0.05, weight_decay: 0.001, discriminator_steps: 1}
                      - pdu: {gamma: 0.1, lambda: 1.0, dual_step: 1.0, epsilon: 0.3, warmup: 0.0}
                      - altpo: {beta: 0.1, samples: 2, max_new_tokens: 6, temperature: 1.0, seed: 0}
                      - nll: {splits: [retain]}
                  optimizer:
                    transforms:
                      - trace_momentum: {beta: 0.9, nesterov: false}
                      - scale_by_snr: {window: 3, max_scale: 10.0}
                      - scale_by_learning_rate: {schedule: {constant: {lr: 1.0e-2}}}
                  adapters: {rank: 2}
                  steps: 7
                  batch_size: 4
              - evaluate:
                  suites: [answers]
                  splits: [forget, retain]
            """;

    /** Float16 mixed precision: the checkpoint holds the float32 masters, the float16 copies follow them. */
    static final String FLOAT16 = "name: resume-float16\n" + TINY + """
            stages:
              - learn: {steps: 10, batch_size: 8}
              - unlearn:
                  objective: {plus: [{npo: {beta: 0.1}}, {nll: {splits: [retain]}}]}
                  steps: 5
                  batch_size: 4
                  precision: float16
              - evaluate:
                  suites: [answers]
                  splits: [forget, retain]
            """;

    private static String sequentialCsv;
    private static String statefulCsv;
    private static String float16Csv;

    /** A crash where a listener throws, standing in for a killed process. */
    static final class Crash extends RuntimeException {
        Crash(String where) {
            super("crashed at " + where);
        }
    }

    @BeforeAll
    static void uninterrupted() {
        sequentialCsv = Runner.of(Lethe.fromYaml(SEQUENTIAL)).run().csv();
        statefulCsv = Runner.of(Lethe.fromYaml(STATEFUL)).run().csv();
        float16Csv = Runner.of(Lethe.fromYaml(FLOAT16)).run().csv();
    }

    private static String recipe(String which) {
        return switch (which) {
            case "SEQUENTIAL" -> SEQUENTIAL;
            case "STATEFUL" -> STATEFUL;
            default -> FLOAT16;
        };
    }

    private static String expected(String recipe) {
        return recipe.equals(SEQUENTIAL) ? sequentialCsv : recipe.equals(STATEFUL) ? statefulCsv : float16Csv;
    }

    /** Runs {@code recipe} with checkpoints in {@code dir} until the progress event of {@code stage} step {@code step}. */
    private static void crashAt(String recipe, Path dir, String stage, long step) {
        Runner runner = Runner.of(Lethe.fromYaml(recipe)).checkpoints(dir, 2).listener(e -> {
            if (e instanceof RunEvent.Progress p && p.stage().equals(stage) && p.step() == step) {
                throw new Crash(stage + " " + step);
            }
        });
        assertThrows(Crash.class, runner::run);
    }

    /** Continues the run in {@code dir}; returns its result and the events it emitted. */
    private static RunResult resume(String recipe, Path dir, List<RunEvent> events) {
        return Runner.of(Lethe.fromYaml(recipe)).checkpoints(dir, 2).listener(events::add).run();
    }

    @ParameterizedTest(name = "{0}: crash at {1} step {2}")
    @CsvSource({
        "SEQUENTIAL, learn, 5",
        "SEQUENTIAL, learn, 12",
        "SEQUENTIAL, reference, 7",
        "SEQUENTIAL, unlearn.request1, 3",
        "SEQUENTIAL, unlearn.request2, 5",
        "SEQUENTIAL, attack.relearn, 2",
        "SEQUENTIAL, attack, 1",
        "SEQUENTIAL, evaluate, 3",
        "STATEFUL, unlearn, 1",
        "STATEFUL, unlearn, 5",
        "STATEFUL, unlearn, 7",
        "FLOAT16, unlearn, 3",
    })
    void aResumedRunEndsWithTheMetricsOfAnUninterruptedOne(String which, String stage, long step, @TempDir Path dir) {
        String recipe = recipe(which);
        crashAt(recipe, dir, stage, step);
        List<RunEvent> events = new ArrayList<>();
        RunResult resumed = resume(recipe, dir, events);
        assertEquals(expected(recipe), resumed.csv());

        // it continued rather than started over: the finished stages were not trained again, and the crashed
        // stage restarted from its last checkpoint (every 2 steps), not from step 1
        long learnSteps = events.stream().filter(e -> e instanceof RunEvent.Progress p && p.stage().equals("learn"))
                .count();
        if (!stage.equals("learn")) {
            assertEquals(0, learnSteps, "the learn stage ran again");
        }
        if (!stage.startsWith("attack") && !stage.equals("evaluate")) {
            long firstStep = events.stream().filter(e -> e instanceof RunEvent.Progress p && p.stage().equals(stage))
                    .mapToLong(e -> ((RunEvent.Progress) e).step()).min().orElseThrow();
            assertEquals(step - 1 - (step - 1) % 2 + 1, firstStep, "first step after resuming " + stage);
        }
    }

    @Test
    void twoCrashesInARowStillEndWithTheSameMetrics(@TempDir Path dir) {
        crashAt(SEQUENTIAL, dir, "learn", 9);
        crashAt(SEQUENTIAL, dir, "unlearn.request2", 3);
        assertEquals(sequentialCsv, resume(SEQUENTIAL, dir, new ArrayList<>()).csv());
    }

    @Test
    void keepingCheckpointsDoesNotChangeTheNumbers(@TempDir Path dir) throws IOException {
        List<RunEvent> written = new ArrayList<>();
        assertEquals(sequentialCsv, Runner.of(Lethe.fromYaml(SEQUENTIAL)).checkpoints(dir, 1).listener(e -> {
            if (e instanceof RunEvent.CheckpointWritten) {
                written.add(e);
            }
        }).run().csv());
        // one after every step but a stage's last, whose checkpoint is the stage's end: 12 + 12 + 6 + 6
        assertEquals(36, written.size());
        assertTrue(written.stream().allMatch(e -> ((RunEvent.CheckpointWritten) e).bytes() > 1000), written.toString());
        RunEvent.CheckpointWritten last = (RunEvent.CheckpointWritten) written.get(35);
        assertEquals("unlearn.request2", last.stage());
        assertEquals(6, last.step());
        // the finished run keeps one model per trained stage and no mid-stage checkpoint
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("learn.safetensors", "manifest.json", "reference.safetensors", "unlearn.request2.safetensors"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        // continuing a finished run trains nothing and measures the same again (what lethe eval does)
        List<RunEvent> events = new ArrayList<>();
        assertEquals(sequentialCsv, resume(SEQUENTIAL, dir, events).csv());
        assertFalse(events.stream().anyMatch(e -> e instanceof RunEvent.Progress p
                && (p.stage().equals("learn") || p.stage().startsWith("unlearn"))));
    }

    @Test
    void filesLeftByAKilledWriteAreIgnoredAndRemoved(@TempDir Path dir) throws IOException {
        crashAt(SEQUENTIAL, dir, "reference", 5);
        // what a process killed while writing would leave: a half-written temporary file, and a checkpoint
        // written completely whose manifest never was
        Files.write(dir.resolve(".manifest.json12345.tmp"), "{\"format\": \"lethe.chec".getBytes());
        Files.write(dir.resolve("step-99.safetensors"), new byte[] {1, 2, 3});
        assertEquals(sequentialCsv, resume(SEQUENTIAL, dir, new ArrayList<>()).csv());
        assertFalse(Files.exists(dir.resolve(".manifest.json12345.tmp")));
        assertFalse(Files.exists(dir.resolve("step-99.safetensors")));
    }

    @Test
    void aBrokenManifestIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
        crashAt(SEQUENTIAL, dir, "learn", 5);
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"generation\"", "\"generatio\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runner.of(Lethe.fromYaml(SEQUENTIAL)).checkpoints(dir, 2));
        assertTrue(e.getMessage().contains(manifest.toString()) && e.getMessage().contains("generation"),
                e.getMessage());
    }

    // issue 13, item 1: a resumed run deletes only what a killed write of its own left, nothing else in the folder
    @Test
    void aResumedRunDeletesOnlyTheLeftoversOfItsOwnKilledWrites(@TempDir Path dir) throws IOException {
        crashAt(SEQUENTIAL, dir, "reference", 5);
        Files.write(dir.resolve("keep.safetensors"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("notes.tmp"), "mine");
        Files.writeString(dir.resolve(".learn.safetensors8812.tmp"), "half a model");
        Files.write(dir.resolve("step-99.safetensors"), new byte[] {1, 2, 3});
        assertEquals(sequentialCsv, resume(SEQUENTIAL, dir, new ArrayList<>()).csv());
        assertTrue(Files.exists(dir.resolve("keep.safetensors")) && Files.exists(dir.resolve("notes.tmp")),
                "files the run did not write are kept");
        assertFalse(Files.exists(dir.resolve(".learn.safetensors8812.tmp")) || Files.exists(dir.resolve("step-99.safetensors")));
    }

    // issue 13, weak spot: a manifest's impossible step counts
    @Test
    void aMidStageCheckpointWithMoreStepsThanItsStageIsRefused(@TempDir Path dir) throws IOException {
        crashAt(SEQUENTIAL, dir, "learn", 5);
        Path manifest = dir.resolve("manifest.json");
        String text = Files.readString(manifest);
        assertTrue(text.contains("\"steps_done\" : 4,"), text);
        Files.writeString(manifest, text.replace("\"steps_done\" : 4,", "\"steps_done\" : 400,"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runner.of(Lethe.fromYaml(SEQUENTIAL)).checkpoints(dir, 2));
        assertTrue(e.getMessage().contains(manifest + ": field mid_stage.steps_done: 400 steps done, but stage learn has 12"),
                e.getMessage());
        Files.writeString(manifest, text.replace("\"steps_done\" : 4,", "\"steps_done\" : -4,"));
        e = assertThrows(IllegalArgumentException.class, () -> Runner.of(Lethe.fromYaml(SEQUENTIAL)).checkpoints(dir, 2));
        assertTrue(e.getMessage().contains("field mid_stage.steps_done is -4"), e.getMessage());
    }

    // issue 13, item 1: nothing is deleted through a symbolic link, not even a leftover of the run's own pattern
    @Test
    void aRunContinuedThroughASymlinkedFolderDeletesNothingThere(@TempDir Path tmp) throws IOException {
        Path real = Files.createDirectories(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("checkpoints"), real);
        crashAt(SEQUENTIAL, link, "reference", 5);
        Files.writeString(real.resolve(".learn.safetensors77.tmp"), "looks like a leftover");
        Files.write(real.resolve("step-99.safetensors"), new byte[] {1, 2, 3});
        assertEquals(sequentialCsv, resume(SEQUENTIAL, link, new ArrayList<>()).csv());
        assertTrue(Files.exists(real.resolve(".learn.safetensors77.tmp")) && Files.exists(real.resolve("step-99.safetensors")));
    }
}
