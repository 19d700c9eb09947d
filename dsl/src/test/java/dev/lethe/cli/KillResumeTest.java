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
              fictitious_facts: {people: 8, forget_fraction: 0.25, holdout_people: 2, facts_per_person: 3, world_countries: 2}
            learn: {steps: 60, batch_size: 8}
            reference: {steps: 60, batch_size: 8}
            unlearn:
              objective: {plus: [{npo: {beta: 0.1}}, {nll: {splits: [retain]}}]}
              steps: 20
              batch_size: 4
              requests: 2
            evaluate:
              suites: [answers, tofu]
              splits: [forget, retain]
              continual: {every: 5, suites: [answers], splits: [forget]}
            attacks:
              - relearn: {steps: 5, examples: 2, lr: 1.0e-3}
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

    private static String[] concat(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }
}
