package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lethe run} killed with SIGKILL ({@code Process.destroyForcibly}) at random moments, then
 * {@code lethe run --resume}: every trial ends with the {@code metrics.csv} of an uninterrupted run, byte for
 * byte. Each process is a separate JVM, so nothing survives a kill but the run directory.
 */
class KillResumeTest {
    private static final String RECIPE = """
            name: killed
            model:
              gpt: {layers: 2, width: 32, heads: 2, context_length: 32}
            data:
              fictitious_facts: {people: 8, forget_fraction: 0.25, holdout_people: 2, facts_per_person: 3, world_countries: 2, real_authors: 2}
            stages:
              - learn: {steps: 60, batch_size: 8}
              - reference: {steps: 60, batch_size: 8}
              - unlearn:
                  objective: {plus: [{npo: {beta: 0.1}}, {nll: {splits: [retain]}}]}
                  steps: 20
                  batch_size: 4
                  requests: 2
                  continual: {every: 5, suites: [answers], splits: [forget]}
              - attack:
                  attacks:
                    - relearn: {steps: 5, examples: 2, lr: 1.0e-3}
                  continual: {every: 5, suites: [answers], splits: [forget]}
              - evaluate:
                  suites: [answers, tofu]
                  splits: [forget, retain]
            """;
    private static final int TRIALS = 5;

    private static Process lethe(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), LetheCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Path onlyRun(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> dirs = s.toList();
            assertEquals(1, dirs.size(), dirs.toString());
            return dirs.get(0);
        }
    }

    /** Waits until the process has created its run directory and started the learn stage; returns when that was. */
    private static long started(Process p, Path runs) throws Exception {
        while (p.isAlive()) {
            if (Files.isDirectory(runs)) {
                try (Stream<Path> s = Files.list(runs)) {
                    if (s.anyMatch(d -> Files.exists(d.resolve("events.jsonl")))) {
                        return System.nanoTime();
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the run ended before it started: exit " + p.exitValue());
    }

    @Test
    void killedAtRandomAndResumedEndsWithTheUninterruptedMetrics(@TempDir Path tmp) throws Exception {
        Path recipe = tmp.resolve("killed.yaml");
        Files.writeString(recipe, RECIPE);
        String[] run = {"run", recipe.toString(), "--no-cache", "--quiet", "--checkpoint-every", "5", "--runs"};

        Path baselineRuns = tmp.resolve("baseline");
        Process baseline = lethe(tmp.resolve("baseline.log"), concat(run, baselineRuns.toString()));
        long start = started(baseline, baselineRuns);
        assertTrue(baseline.waitFor(5, TimeUnit.MINUTES));
        long workNanos = System.nanoTime() - start;
        assertEquals(0, baseline.exitValue(), Files.readString(tmp.resolve("baseline.log")));
        byte[] expected = Files.readAllBytes(onlyRun(baselineRuns).resolve("metrics.csv"));

        Random random = new Random(20261128);
        List<String> killedAt = new ArrayList<>();
        for (int trial = 0, attempts = 0; trial < TRIALS; attempts++) {
            assertTrue(attempts < 3 * TRIALS, "too many kills landed after the run had finished: " + killedAt);
            Path runs = tmp.resolve("trial" + attempts);
            Process p = lethe(tmp.resolve("trial" + attempts + ".log"), concat(run, runs.toString()));
            started(p, runs);
            Thread.sleep((long) (random.nextDouble() * workNanos / 1e6));
            if (!p.isAlive()) {
                continue; // it finished before the kill: not a trial
            }
            p.destroyForcibly();
            p.waitFor();
            Path dir = onlyRun(runs);
            if (Files.exists(dir.resolve("metrics.csv"))) {
                continue; // killed while it was closing, after its metrics were written: not a trial either
            }
            List<String> events = Files.readAllLines(dir.resolve("events.jsonl"));
            killedAt.add(events.isEmpty() ? "before the first event" : events.get(events.size() - 1));

            Path log = tmp.resolve("resume" + attempts + ".log");
            Process resumed = lethe(log, "run", "--resume", dir.toString(), "--no-cache", "--quiet",
                    "--checkpoint-every", "5");
            assertTrue(resumed.waitFor(5, TimeUnit.MINUTES));
            assertEquals(0, resumed.exitValue(), Files.readString(log));
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("metrics.csv")),
                    "killed after " + killedAt.get(killedAt.size() - 1));
            assertTrue(Files.readString(dir.resolve("events.jsonl")).contains("\"event\":\"run_resumed\""));
            trial++;
        }
        // where the kills landed (the last event written before each): shown in the test's output
        killedAt.forEach(e -> System.out.println("killed after " + e));
    }

    /**
     * {@code examples/recipes/stages.yaml} (learn → reference → unlearn → finetune → unlearn → evaluate), made
     * small: killed with SIGKILL in its second unlearning stage, after a mid-stage checkpoint, and resumed.
     */
    @Test
    void theStagesExampleKilledInItsSecondUnlearningStageResumesToTheSameMetrics(@TempDir Path tmp) throws Exception {
        String small = Files.readString(Path.of("..", "examples", "recipes", "stages.yaml"))
                .replace("model: gpt ", "model: {gpt: {layers: 2, width: 32, heads: 2, context_length: 32}} ")
                .replace("{people: 50, forget_fraction: 0.1}", "{people: 8, forget_fraction: 0.25, holdout_people: 2, "
                        + "facts_per_person: 3, world_countries: 2, real_authors: 2}")
                .replace("steps: 1000", "steps: 30").replace("steps: 100", "steps: 12").replace("steps: 20", "steps: 40");
        assertTrue(small.contains("- unlearn:") && small.indexOf("- unlearn:") != small.lastIndexOf("- unlearn:"), small);
        Path recipe = tmp.resolve("stages.yaml");
        Files.writeString(recipe, small);
        String[] run = {"run", recipe.toString(), "--no-cache", "--quiet", "--checkpoint-every", "5", "--runs"};
        Path baselineRuns = tmp.resolve("baseline");
        Process baseline = lethe(tmp.resolve("baseline.log"), concat(run, baselineRuns.toString()));
        assertTrue(baseline.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, baseline.exitValue(), Files.readString(tmp.resolve("baseline.log")));
        Path baselineDir = onlyRun(baselineRuns);
        byte[] expected = Files.readAllBytes(baselineDir.resolve("metrics.csv"));
        String csv = new String(expected);
        for (String model : List.of("learned", "reference", "unlearned", "finetuned", "unlearned-2")) {
            assertTrue(csv.contains("\n" + model + ",evaluate,forget,nll,"), model + " is measured:\n" + csv);
        }

        Path runs = tmp.resolve("killed");
        Process p = lethe(tmp.resolve("killed.log"), concat(run, runs.toString()));
        started(p, runs);
        Path dir = onlyRun(runs);
        // killed as soon as the second unlearning stage's first mid-stage checkpoint (step 5 of 40) is on disk
        Path manifest = dir.resolve("checkpoints").resolve("manifest.json");
        String mark = "\"stage\" : \"unlearn-2\"";
        while (p.isAlive() && !(Files.exists(manifest) && Files.readString(manifest).contains(mark))) {
            Thread.sleep(2);
        }
        assertTrue(p.isAlive(), "the run ended before its second unlearning stage was checkpointed");
        p.destroyForcibly();
        p.waitFor();
        assertTrue(!Files.exists(dir.resolve("metrics.csv")), "killed before the end");
        assertTrue(!Files.readString(dir.resolve("events.jsonl")).contains("\"event\":\"stage_finished\",\"stage\":"
                + "\"unlearn-2\""), "killed inside the second unlearning stage");

        Path log = tmp.resolve("resumed.log");
        Process resumed = lethe(log, "run", "--resume", dir.toString(), "--no-cache", "--quiet", "--checkpoint-every", "5");
        assertTrue(resumed.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, resumed.exitValue(), Files.readString(log));
        assertArrayEquals(expected, Files.readAllBytes(dir.resolve("metrics.csv")));
        List<String> after = Files.readAllLines(dir.resolve("events.jsonl"));
        int resumedAt = after.indexOf(after.stream().filter(l -> l.contains("\"event\":\"run_resumed\"")).findFirst()
                .orElseThrow());
        assertTrue(after.subList(resumedAt, after.size()).stream().noneMatch(l -> l.contains("\"event\":\"progress\"")
                && (l.contains("\"stage\":\"learn\"") || l.contains("\"stage\":\"finetune\""))),
                "the finished training stages were loaded, not trained again");
    }

    private static String[] concat(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }
}
