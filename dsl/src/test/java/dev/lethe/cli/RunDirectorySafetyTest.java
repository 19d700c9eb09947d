package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.recipe.RecipeCodec;
import dev.lethe.run.RunDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The run directory's safety (issue 13): {@code eval} deletes nothing, paths read from a manifest stay inside
 * the checkpoints folder, one process at a time, a failure while finishing leaves a run that {@code --resume}
 * finishes, and bad places (a file as {@code --runs}, read-only mounts, FIFOs) get one line, exit 2, no hang.
 * One finished run of a tiny recipe is made once and copied for each test.
 */
class RunDirectorySafetyTest {
    @TempDir
    static Path shared;
    private static Path finished;
    private static Path recipe;

    @BeforeAll
    static void oneFinishedRun() throws IOException {
        recipe = shared.resolve("tiny.yaml");
        Files.writeString(recipe, Cli.TINY);
        Cli.Outcome o = Cli.lethe("run", recipe.toString(), "--runs", shared.resolve("runs").toString(), "--no-cache", "--quiet");
        assertEquals(0, o.exit(), o.err());
        try (Stream<Path> s = Files.list(shared.resolve("runs"))) {
            finished = s.findFirst().orElseThrow();
        }
    }

    /** A copy of the finished run at {@code target}. */
    private static Path copy(Path target) throws IOException {
        try (Stream<Path> files = Files.walk(finished)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(finished.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return target;
    }

    /** A copy of the finished run as a run killed after its training (no metrics, report or closing event yet). */
    private static Path unfinished(Path target) throws IOException {
        Path dir = copy(target);
        Files.delete(dir.resolve("metrics.csv"));
        deleteTree(dir.resolve("report"));
        List<String> events = new ArrayList<>(Files.readAllLines(dir.resolve("events.jsonl")));
        events.remove(events.size() - 1);
        Files.write(dir.resolve("events.jsonl"), events);
        return dir;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertOneLine(Cli.Outcome o) {
        assertFalse(o.err().contains("Exception\n") || o.err().contains("\tat "), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }

    private static String lastEvent(Path dir) throws IOException {
        List<String> events = Files.readAllLines(dir.resolve("events.jsonl"));
        return events.get(events.size() - 1);
    }

    // issue 13, item 1 and reproduction 1
    @Test
    void evalDeletesNothingInTheRunDirectoryNorThroughASymlinkedCheckpointsFolder(@TempDir Path tmp) throws IOException {
        Path dir = copy(tmp.resolve("run"));
        Path checkpoints = dir.resolve("checkpoints");
        Files.copy(checkpoints.resolve("learn.safetensors"), checkpoints.resolve("keep.safetensors"));
        Files.writeString(checkpoints.resolve("notes.tmp"), "mine");
        Files.writeString(checkpoints.resolve(".learn.safetensors123.tmp"), "looks like a leftover, but eval writes nothing");
        List<String> before = names(checkpoints);
        Cli.Outcome eval = Cli.lethe("eval", "--quiet", dir.toString());
        assertEquals(0, eval.exit(), eval.err());
        assertEquals(before, names(checkpoints));

        Path zoo = tmp.resolve("zoo");
        Files.createDirectories(zoo);
        for (String f : List.of("learn.safetensors", "unlearn.safetensors", "manifest.json")) {
            Files.copy(checkpoints.resolve(f), zoo.resolve(f));
        }
        Files.copy(zoo.resolve("learn.safetensors"), zoo.resolve("precious.safetensors"));
        Path linked = copy(tmp.resolve("linked"));
        deleteTree(linked.resolve("checkpoints"));
        Files.createSymbolicLink(linked.resolve("checkpoints"), zoo);
        List<String> zooBefore = names(zoo);
        Cli.Outcome throughLink = Cli.lethe("eval", "--quiet", linked.toString());
        assertEquals(0, throughLink.exit(), throughLink.err());
        assertEquals(zooBefore, names(zoo));
    }

    // issue 13, item 2 and reproduction 2
    @Test
    void manifestPathsThatLeaveTheCheckpointsFolderAreRefusedByEvalAndResume(@TempDir Path tmp) throws IOException {
        Path outside = tmp.resolve("x").resolve("v.safetensors");
        Files.createDirectories(outside.getParent());
        Files.copy(finished.resolve("checkpoints/learn.safetensors"), outside);
        String manifest = Files.readString(finished.resolve("checkpoints/manifest.json"));
        String learned = "\"learned\" : \"learn.safetensors\"";
        assertTrue(manifest.contains(learned), manifest);

        int n = 0;
        for (String name : List.of("../../x/v.safetensors", outside.toString())) {
            Path dir = unfinished(tmp.resolve("run" + n++));
            Path file = dir.resolve("checkpoints/manifest.json");
            Files.writeString(file, manifest.replace(learned, "\"learned\" : \"" + name + "\""));
            for (Cli.Outcome o : List.of(Cli.lethe("eval", "--quiet", dir.toString()),
                    Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet"))) {
                assertEquals(2, o.exit(), o.err());
                assertOneLine(o);
                assertTrue(o.err().contains(file.toString()) && o.err().contains("field models.learned"), o.err());
            }
            assertFalse(Files.exists(dir.resolve("eval")), "nothing evaluated");
            assertFalse(Files.exists(dir.resolve("metrics.csv")), "nothing resumed");
        }

        // a symbolic link inside the folder that leads out of it
        Path dir = unfinished(tmp.resolve("linked"));
        Files.delete(dir.resolve("checkpoints/learn.safetensors"));
        Files.createSymbolicLink(dir.resolve("checkpoints/learn.safetensors"), outside);
        for (Cli.Outcome o : List.of(Cli.lethe("eval", "--quiet", dir.toString()),
                Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet"))) {
            assertEquals(2, o.exit(), o.err());
            assertOneLine(o);
            assertTrue(o.err().contains("learn.safetensors") && o.err().contains("outside"), o.err());
        }
    }

    // issue 13, weak spot: a manifest's negative or impossible step counts
    @Test
    void negativeOrImpossibleStepCountsInAManifestAreRefused(@TempDir Path tmp) throws IOException {
        String manifest = Files.readString(finished.resolve("checkpoints/manifest.json"));
        String[][] cases = {
            {"\"steps_done\" : 20", "\"steps_done\" : -20", "field finished[0].steps_done is -20"},
            {"\"steps_done\" : 20", "\"steps_done\" : 5000", "field finished[0].steps_done: 5000 steps done, but stage learn has 20"},
            {"\"generation\" : ", "\"generation\" : -", "field generation is -"},
        };
        int n = 0;
        for (String[] c : cases) {
            assertTrue(manifest.contains(c[0]), c[0]);
            Path dir = copy(tmp.resolve("run" + n++));
            Path file = dir.resolve("checkpoints/manifest.json");
            Files.writeString(file, manifest.replaceFirst(java.util.regex.Pattern.quote(c[0]), c[1]));
            Cli.Outcome o = Cli.lethe("eval", "--quiet", dir.toString());
            assertEquals(2, o.exit(), o.err());
            assertOneLine(o);
            assertTrue(o.err().contains(file.toString()) && o.err().contains(c[2]), o.err());
        }
    }

    /** Holds the lock of the run directory {@code args[0]} until its standard input closes (a second JVM). */
    static final class HoldLock {
        public static void main(String[] args) throws IOException {
            try (RunDirectory dir = RunDirectory.open(Path.of(args[0]), RecipeCodec.standard())) {
                System.out.println("locked " + dir.path());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the end of input
                }
            }
        }
    }

    // issue 13, item 6 and reproduction 4
    @Test
    void aSecondProcessIsRefusedWhileOneHoldsTheRunDirectory(@TempDir Path tmp) throws Exception {
        Path dir = unfinished(tmp.resolve("run"));
        List<String> eventsBefore = Files.readAllLines(dir.resolve("events.jsonl"));
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), HoldLock.class.getName(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = said.readLine();
            while (line != null && !line.startsWith("locked")) {
                line = said.readLine();
            }
            assertTrue(line != null, "the holder ended before it locked the run directory");
            for (Cli.Outcome o : List.of(Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet"),
                    Cli.lethe("eval", "--quiet", dir.toString()))) {
                assertEquals(2, o.exit(), o.err());
                assertOneLine(o);
                assertTrue(o.err().contains(dir + " is in use: another process (pid " + holder.pid() + ") holds its lock"),
                        o.err());
            }
            assertEquals(eventsBefore, Files.readAllLines(dir.resolve("events.jsonl")), "the refused ones wrote nothing");
            assertFalse(Files.exists(dir.resolve("eval")));
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
        }

        // within one JVM too; once released, the run continues, and its events follow the earlier ones
        try (RunDirectory held = RunDirectory.open(dir, RecipeCodec.standard())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunDirectory.open(dir, RecipeCodec.standard()));
            assertTrue(e.getMessage().contains(dir + " is in use: this process already holds its lock"), e.getMessage());
        }
        Cli.Outcome resumed = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(0, resumed.exit(), resumed.err());
        List<String> after = Files.readAllLines(dir.resolve("events.jsonl"));
        assertEquals(eventsBefore, after.subList(0, eventsBefore.size()), "events are appended, none lost");
        assertTrue(after.get(eventsBefore.size()).contains("run_resumed"), after.toString());
        assertArrayEquals(Files.readAllBytes(finished.resolve("metrics.csv")), Files.readAllBytes(dir.resolve("metrics.csv")));
    }

    // issue 13, item 7 (and item 6: no stale error.txt), with an injected failure: a file where the report folder goes
    @Test
    void aFailureWhileFinishingLeavesARunThatResumeFinishes(@TempDir Path tmp) throws IOException {
        Path dir = unfinished(tmp.resolve("run"));
        Files.writeString(dir.resolve("report"), "in the way");
        Cli.Outcome failed = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(1, failed.exit(), failed.err());
        assertOneLine(failed);
        assertTrue(failed.err().contains("report") && failed.err().contains("lethe run --resume " + dir), failed.err());
        assertTrue(lastEvent(dir).contains("\"event\":\"run_failed\""), lastEvent(dir));
        assertFalse(Files.exists(dir.resolve("metrics.csv")), "not finished");
        assertTrue(Files.readString(dir.resolve("error.txt")).contains("\tat "), "the stack trace goes to error.txt");

        Files.delete(dir.resolve("report"));
        Cli.Outcome resumed = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(0, resumed.exit(), resumed.err());
        assertArrayEquals(Files.readAllBytes(finished.resolve("metrics.csv")), Files.readAllBytes(dir.resolve("metrics.csv")));
        assertTrue(Files.isRegularFile(dir.resolve("report/index.html")) && Files.isRegularFile(dir.resolve("report/plotly.js")));
        assertTrue(lastEvent(dir).contains("\"event\":\"run_finished\""), lastEvent(dir));
        assertFalse(Files.exists(dir.resolve("error.txt")), "a finished run keeps no stale error.txt");
    }

    // issue 13, item 7: a run is finished only when everything is written (killed after its metrics, before its closing event)
    @Test
    void aRunWithItsMetricsButNoClosingEventIsNotFinished(@TempDir Path tmp) throws IOException {
        Path dir = unfinished(tmp.resolve("run"));
        Files.copy(finished.resolve("metrics.csv"), dir.resolve("metrics.csv"));
        Cli.Outcome resumed = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(lastEvent(dir).contains("\"event\":\"run_finished\""), lastEvent(dir));
        Cli.Outcome again = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(2, again.exit(), again.err());
        assertTrue(again.err().contains("already finished"), again.err());
    }

    // issue 13, weak spot: --runs pointing at a file
    @Test
    void runsPointingAtAFileIsRefusedInOneLine(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("runs");
        Files.writeString(file, "not a folder");
        Cli.Outcome o = Cli.lethe("run", recipe.toString(), "--runs", file.toString(), "--no-cache", "--quiet");
        assertEquals(2, o.exit(), o.err());
        assertOneLine(o);
        assertTrue(o.err().contains("cannot create a run directory in " + file + ": it is a file, not a folder"), o.err());
        Cli.Outcome under = Cli.lethe("run", recipe.toString(), "--runs", file.resolve("sub").toString(), "--no-cache", "--quiet");
        assertEquals(2, under.exit(), under.err());
        assertOneLine(under);
    }

    /** Runs {@code command}; whether it exited with 0. */
    private static boolean sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** Mounts a tmpfs of {@code size} at {@code dir}, or skips the test where mounting is not allowed. */
    private static void mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        assumeTrue(sh("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()),
                "mounting a tmpfs is not allowed here");
    }

    // issue 13, weak spot: --runs on a read-only mount
    @Test
    void runsOnAReadOnlyMountIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
        Path mnt = tmp.resolve("ro");
        mount(mnt, "ro,size=1m");
        try {
            Cli.Outcome o = Cli.lethe("run", recipe.toString(), "--runs", mnt.resolve("runs").toString(), "--no-cache", "--quiet");
            assertEquals(2, o.exit(), o.err());
            assertOneLine(o);
            assertTrue(o.err().contains("cannot create a run directory in " + mnt.resolve("runs")) && o.err().contains("Read-only"),
                    o.err());
        } finally {
            sh("umount", mnt.toString());
        }
    }

    // issue 13, weak spot: eval on a read-only run directory checks before writing anything
    @Test
    void evalOnAReadOnlyRunDirectoryWritesNothingAndSaysSo(@TempDir Path tmp) throws Exception {
        Path mnt = tmp.resolve("ro");
        mount(mnt, "size=4m");
        try {
            Path dir = mnt.resolve("run");
            Files.createDirectories(dir);
            for (String f : List.of("recipe.yaml", "provenance.json", "events.jsonl", "metrics.csv", "checkpoints")) {
                sh("cp", "-r", finished.resolve(f).toString(), dir.resolve(f).toString());
            }
            Files.writeString(dir.resolve("checkpoints/.learn.safetensors42.tmp"), "a leftover");
            assertTrue(sh("mount", "-o", "remount,ro", mnt.toString()));
            Cli.Outcome o = Cli.lethe("eval", "--quiet", dir.toString());
            assertEquals(2, o.exit(), o.err());
            assertOneLine(o);
            assertTrue(o.err().contains(dir + " cannot be locked (Read-only file system)"), o.err());
            assertTrue(Files.exists(dir.resolve("checkpoints/.learn.safetensors42.tmp")));
        } finally {
            sh("umount", mnt.toString());
        }
    }

    // issue 13, item 7 and reproduction 5: the disk fills up at the end of the run (the report's plotly copy)
    @Test
    void aFullDiskAtTheEndLeavesARunThatResumeFinishes(@TempDir Path tmp) throws Exception {
        Path mnt = tmp.resolve("small");
        mount(mnt, "size=3m");
        try {
            Path runs = mnt.resolve("runs");
            Cli.Outcome o = Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
            assertEquals(1, o.exit(), o.err());
            assertOneLine(o);
            assertTrue(o.err().contains("No space left on device") || o.err().contains("cannot"), o.err());
            Path dir;
            try (Stream<Path> s = Files.list(runs)) {
                dir = s.findFirst().orElseThrow();
            }
            assertFalse(Files.exists(dir.resolve("metrics.csv")));
            assertTrue(lastEvent(dir).contains("\"event\":\"run_failed\""), lastEvent(dir));

            assertTrue(sh("mount", "-o", "remount,size=40m", mnt.toString()));
            Cli.Outcome resumed = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
            assertEquals(0, resumed.exit(), resumed.err());
            assertArrayEquals(Files.readAllBytes(finished.resolve("metrics.csv")), Files.readAllBytes(dir.resolve("metrics.csv")));
            assertFalse(Files.exists(dir.resolve("error.txt")));
        } finally {
            sh("umount", mnt.toString());
        }
    }

    // issue 13, weak spot: FIFOs where a run directory's files are read never make a command hang
    @ParameterizedTest
    @ValueSource(strings = {"recipe.yaml", "provenance.json", "events.jsonl", "checkpoints/manifest.json",
        "checkpoints/learn.safetensors"})
    void aFifoInARunDirectoryIsRefusedWithoutHanging(String file, @TempDir Path tmp) throws Exception {
        Path dir = unfinished(tmp.resolve("run"));
        Files.delete(dir.resolve(file));
        assumeTrue(sh("mkfifo", dir.resolve(file).toString()), "no mkfifo here");
        for (String[] command : List.of(new String[] {"eval", "--quiet", dir.toString()},
                new String[] {"run", "--resume", dir.toString(), "--no-cache", "--quiet"})) {
            Cli.Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.lethe(command));
            assertEquals(2, o.exit(), o.err());
            assertOneLine(o);
            assertTrue(o.err().contains(file) && o.err().contains("not an ordinary file"), o.err());
        }
    }

    // the read side of provenance.json: a damaged record is one line, exit 2, not a stack trace
    @Test
    void aDamagedProvenanceRecordIsRefusedInOneLine(@TempDir Path tmp) throws IOException {
        Path dir = unfinished(tmp.resolve("run"));
        Path file = dir.resolve("provenance.json");
        Files.writeString(file, "{\"hash\": \"0\",\n  oops\n");
        Cli.Outcome o = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(2, o.exit(), o.err());
        assertOneLine(o);
        assertTrue(o.err().contains(file + ":2: not a provenance record"), o.err());
        Files.writeString(file, "{\"recipe_hash\": \"0\"}\n");
        Cli.Outcome missing = Cli.lethe("run", "--resume", dir.toString(), "--no-cache", "--quiet");
        assertEquals(2, missing.exit(), missing.err());
        assertTrue(missing.err().contains(file + ": field hash is missing"), missing.err());
    }
}
