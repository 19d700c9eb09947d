package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.data.Jsonl;
import dev.lethe.data.QaExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's weak spots on the command line: bad input is one line on standard error, exit code 2, found
 * before a run directory is created, and nothing hangs on a FIFO or a device.
 */
class HostileInputTest {
    private static final Duration NEVER_HANGS = Duration.ofSeconds(60);

    private static Cli.Outcome lethe(String... args) {
        return assertTimeoutPreemptively(NEVER_HANGS, () -> Cli.lethe(args));
    }

    /** Runs {@code recipe} into {@code tmp/runs}; checks exit 2, one line, and that no run directory was made. */
    private static String refusedRun(Path tmp, String recipe) throws IOException {
        Path file = tmp.resolve("r.yaml");
        Files.writeString(file, recipe);
        return refusedRun(tmp, file);
    }

    private static String refusedRun(Path tmp, Path file) throws IOException {
        Path runs = tmp.resolve("runs");
        Cli.Outcome o = lethe("run", file.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().strip().lines().count() <= 2, "one line (after a recipe's \"1 problem\" head): " + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertEquals(-1, dev.lethe.util.Printable.firstControl(o.err().strip().replace("\n", " ")), "no control character: " + o.err());
        assertFalse(Files.exists(runs) && Files.list(runs).findAny().isPresent(), "no run directory: " + o.err());
        return o.err();
    }

    private static String jsonlRecipe(Path data, String extra) {
        return "name: j\nmodel: {gpt: {layers: 1, width: 16, heads: 2, context_length: 32}}\ndata: {jsonl: {dir: \""
                + data + "\"}}\nstages:\n- learn: {steps: 1, batch_size: 2, splits: [forget, retain]}\n" + extra;
    }

    private static Path dataFolder(Path tmp) {
        Path data = tmp.resolve("data");
        Jsonl.write(data.resolve("forget.jsonl"), examples("f", 3));
        Jsonl.write(data.resolve("retain.jsonl"), examples("r", 3));
        return data;
    }

    private static List<QaExample> examples(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> new QaExample(prefix + i + " asks?", prefix + " answer " + i,
                prefix + i + " asks?", prefix + " answer " + i, List.of(), "", "")).toList();
    }

    private static void mkfifo(Path p) throws Exception {
        Process m = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assumeTrue(m.waitFor() == 0, "mkfifo is needed");
    }

    @Test
    void aRecipePathThatIsAFifoOrADeviceIsRefusedWithoutHanging(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("recipe.yaml");
        mkfifo(fifo);
        assertTrue(refusedRun(tmp, fifo).contains("not an ordinary file"));
        assertTrue(refusedRun(tmp, Path.of("/dev/zero")).contains("/dev/zero"));
        assertTrue(refusedRun(tmp, tmp).contains("is a directory"));
    }

    @Test
    void aDataFolderWithAFifoOrADirectoryWhereAFileIsExpectedIsRefusedBeforeTheRunDirectory(@TempDir Path tmp)
            throws Exception {
        Path data = dataFolder(tmp);
        mkfifo(data.resolve("holdout.jsonl"));
        String fifo = refusedRun(tmp, jsonlRecipe(data, ""));
        assertTrue(fifo.contains("holdout.jsonl") && fifo.contains("not an ordinary file"), fifo);
        Files.delete(data.resolve("holdout.jsonl"));
        Files.delete(data.resolve("forget.jsonl"));
        Files.createDirectory(data.resolve("forget.jsonl"));
        String dir = refusedRun(tmp, jsonlRecipe(data, ""));
        assertTrue(dir.contains("forget.jsonl is a directory"), dir);
        String notAFolder = refusedRun(tmp, jsonlRecipe(data.resolve("retain.jsonl"), ""));
        assertTrue(notAFolder.contains("is not a folder"), notAFolder);
    }

    @Test
    void anObjectiveReadingASplitTheDataLacksIsRefusedBeforeTheRunDirectory(@TempDir Path tmp) throws IOException {
        Path data = dataFolder(tmp);
        Path fine = Files.writeString(tmp.resolve("fine.yaml"), jsonlRecipe(data, "- unlearn: {objective: grad_diff, "
                + "steps: 1, batch_size: 2}\n"));
        Cli.Outcome ok = lethe("run", fine.toString(), "--runs", tmp.resolve("ok-runs").toString(), "--no-cache", "--quiet");
        assertEquals(0, ok.exit(), "the checks refuse nothing the data has: " + ok.err());
        String world = refusedRun(tmp, jsonlRecipe(data, "- unlearn: {objective: {nll: {splits: [world]}}, steps: 1}\n"));
        assertTrue(world.contains("stage unlearn: the objective reads the world split") && world.contains("world.jsonl"),
                world);
        String learn = refusedRun(tmp, jsonlRecipe(data, "").replace(", splits: [forget, retain]", ""));
        assertTrue(learn.contains("stage learn trains on the world split, which has no examples") && learn.contains(
                "world.jsonl"), learn);
        String idk = refusedRun(tmp, jsonlRecipe(data, "- unlearn: {objective: {plus: [dpo, {idk: {split: holdout}}]}}\n"));
        assertTrue(idk.contains("the objective reads the holdout split"), idk);
    }

    @Test
    void examplesInBothForgetAndRetainAndBlankAnswersAreRefused(@TempDir Path tmp) throws IOException {
        Path data = dataFolder(tmp);
        Jsonl.write(data.resolve("retain.jsonl"), List.of(examples("r", 2).get(0), examples("f", 3).get(1)));
        String both = refusedRun(tmp, jsonlRecipe(data, ""));
        assertTrue(both.contains("1 example(s) are in both the forget and the retain split") && both.contains("f1 asks?"),
                both);
        Files.writeString(data.resolve("retain.jsonl"), "{\"question\": \"q?\", \"answer\": \"a\"}\n"
                + "{\"question\": \"q2?\", \"answer\": \"  \"}\n");
        String blank = refusedRun(tmp, jsonlRecipe(data, ""));
        assertTrue(blank.contains("retain.jsonl:2: field 'answer' is blank"), blank);
    }

    @Test
    void deviceNamesOutOfRangeAreRefusedWithTheirLine(@TempDir Path tmp) throws IOException {
        for (String device : List.of("gpu:99999999999", "cuda:x", "gpu:-1")) {
            String e = refusedRun(tmp, "name: d\ndevice: \"" + device + "\"\nmodel: gpt\ndata: fictitious_facts\n"
                    + "stages: [{evaluate: {}}]\n");
            assertTrue(e.contains("r.yaml:1:") && e.contains("device must be cpu, gpu, gpu:N"), e);
        }
    }

    @Test
    void modelsThatOverflowOrCannotFitAreRefusedWithTheEstimate(@TempDir Path tmp) throws IOException {
        String huge = refusedRun(tmp, "name: m\nmodel: {gpt: {layers: 100000, width: 8192, heads: 8}}\n"
                + "data: fictitious_facts\nstages: [{learn: {steps: 1}}]\n");
        assertTrue(huge.contains("has about 8.05e+13 parameters") && huge.contains("of memory"), huge);
        String wide = refusedRun(tmp, "name: m\nmodel: {gpt: {layers: 1, width: 1073741824, heads: 1}}\n"
                + "data: fictitious_facts\nstages: [{learn: {steps: 1}}]\n");
        assertTrue(wide.contains("r.yaml:2:") && wide.contains("width must be at most 536870911"), wide);
        String tensor = refusedRun(tmp, "name: m\nmodel: {gpt: {layers: 1, width: 65536, heads: 1, vocab_size: 40000}}\n"
                + "data: fictitious_facts\nstages: [{learn: {steps: 1}}]\n");
        assertTrue(tensor.contains("one tensor of"), tensor);
    }

    @Test
    void compareRefusesNegativeOrAbsurdDigits(@TempDir Path tmp) {
        for (String digits : List.of("-1", "400")) {
            Cli.Outcome o = lethe("compare", tmp.toString(), tmp.toString(), "--digits", digits);
            assertEquals(2, o.exit(), o.err());
            assertTrue(o.err().contains("--digits must be from 0 to 17") && o.err().contains("was " + digits), o.err());
        }
    }

    @Test
    void controlCharactersInAPathAreEscapedInTheMessage(@TempDir Path tmp) throws IOException {
        Path evil = tmp.resolve("evil\u001b]0;PWNED\u0007.yaml");
        String e = refusedRun(tmp, evil);
        assertTrue(e.contains("evil\\e]0;PWNED\\a.yaml"), e);
    }

    /** Reproduction 8: with an unwritable home, DJL would extract and load libtorch from /tmp/.djl.ai. */
    @Test
    void anUnwritableHomeIsRefusedBeforeTheRunDirectory(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getenv("DJL_CACHE_DIR") == null && System.getenv("ENGINE_CACHE_DIR") == null
                && System.getenv("PYTORCH_LIBRARY_PATH") == null);
        Path home = Files.createDirectories(tmp.resolve("home"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", home.toString())
                .redirectErrorStream(true).start();
        mount.getInputStream().readAllBytes();
        assumeTrue(mount.waitFor() == 0 && !Files.isWritable(home), "needs a read-only tmpfs mount (root)");
        String before = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            String e = refusedRun(tmp, "name: h\nmodel: gpt\ndata: fictitious_facts\nstages: [{learn: {steps: 1}}]\n");
            assertTrue(e.contains(".djl.ai") && e.contains("DJL_CACHE_DIR"), e);
            java.io.PrintStream stdout = System.out;
            java.io.ByteArrayOutputStream shown = new java.io.ByteArrayOutputStream();
            System.setOut(new java.io.PrintStream(shown, true, java.nio.charset.StandardCharsets.UTF_8));
            int doctor;
            try {
                doctor = lethe("doctor").exit();
            } finally {
                System.setOut(stdout);
            }
            String report = shown.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(2, doctor, report);
            assertTrue(report.contains("libtorch     extracted to and loaded from " + System.getProperty("java.io.tmpdir"))
                    && report.contains("native libs  UNSAFE: ") && report.contains("DJL_CACHE_DIR"), report);
        } finally {
            System.setProperty("user.home", before);
            new ProcessBuilder("umount", home.toString()).inheritIO().start().waitFor();
        }
    }
}
