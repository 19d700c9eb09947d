package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.Lethe;
import dev.lethe.run.Provenance;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe run / list / compare} in-process, on a recipe of a few steps. */
class RunCommandTest {
    private static List<Path> runDirs(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            return s.sorted().toList();
        }
    }

    @Test
    void twoRunsOfOneRecipeGiveTwoDirectoriesWithIdenticalMetrics(@TempDir Path tmp) throws IOException {
        Path recipe = tmp.resolve("tiny.yaml");
        Files.writeString(recipe, Cli.TINY);
        Path runs = tmp.resolve("runs");
        Cli.Outcome first = Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
        assertEquals(0, first.exit(), first.err());
        Cli.Outcome second = Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
        assertEquals(0, second.exit(), second.err());

        List<Path> dirs = runDirs(runs);
        assertEquals(2, dirs.size(), dirs.toString());
        Path a = dirs.get(0);
        Path b = dirs.get(1);
        assertTrue(a.getFileName().toString().matches("tiny-[0-9a-f]{8}"), a.toString());
        assertEquals(a.getFileName() + "-2", b.getFileName().toString());
        for (String f : List.of("recipe.yaml", "provenance.json", "events.jsonl", "metrics.csv", "report/index.html")) {
            assertTrue(Files.isRegularFile(a.resolve(f)) && Files.isRegularFile(b.resolve(f)), f);
        }
        byte[] metrics = Files.readAllBytes(a.resolve("metrics.csv"));
        assertArrayEquals(metrics, Files.readAllBytes(b.resolve("metrics.csv")));
        assertTrue(new String(metrics).startsWith("model,stage,split,metric,value,step\nlearned,evaluate,forget,nll,"), new String(metrics));

        Recipe resolved = Lethe.fromYaml(a.resolve("recipe.yaml"));
        assertEquals(Lethe.fromYaml(Cli.TINY), resolved);
        JsonNode provenance = new ObjectMapper().readTree(a.resolve("provenance.json").toFile());
        assertEquals(Provenance.sha256(Files.readString(a.resolve("recipe.yaml"))), provenance.get("recipe_hash").asText());
        assertTrue(a.getFileName().toString().endsWith(provenance.get("hash").asText().substring(0, 8)));
        assertEquals(Lethe.VERSION, provenance.get("lethe_version").asText());
        assertEquals(42, provenance.get("seed").asLong());
        assertTrue(provenance.get("engine").asText().startsWith("PyTorch"), provenance.toString());

        List<String> events = Files.readAllLines(a.resolve("events.jsonl"));
        ObjectMapper json = new ObjectMapper();
        assertEquals("stage_started", json.readTree(events.get(0)).get("event").asText());
        assertEquals("learn", json.readTree(events.get(0)).get("stage").asText());
        assertEquals(20 + 3, events.stream().filter(l -> l.contains("\"event\":\"progress\"")
                && (l.contains("\"stage\":\"learn\"") || l.contains("\"stage\":\"unlearn\""))).count());
        assertEquals("run_finished", json.readTree(events.get(events.size() - 1)).get("event").asText());

        Cli.Outcome compare = Cli.lethe("compare", a.toString(), b.toString());
        assertEquals(0, compare.exit(), compare.err());
        String[] lines = compare.out().split("\n");
        assertTrue(lines[0].matches("model\\s+split\\s+metric\\s+tiny-\\w{8}\\s+tiny-\\w{8}-2"), lines[0]);
        String nll = Stream.of(lines).filter(l -> l.matches("learned\\s+forget\\s+nll\\s.*")).findFirst().orElseThrow();
        String[] cells = nll.trim().split("\\s+");
        assertEquals(cells[3], cells[4], nll);
    }

    /** A field that reads but cannot run (a model folder that is not there) is blamed on its line in the file. */
    @Test
    void aFolderFieldThatCannotRunNamesItsLine(@TempDir Path tmp) throws IOException {
        Path none = tmp.resolve("none");
        Path recipe = tmp.resolve("ref.yaml");
        Files.writeString(recipe, Cli.TINY.replace("  - unlearn:", "  - reference: {hf: " + none + "}\n  - unlearn:"));
        Path runs = tmp.resolve("runs");
        Cli.Outcome out = Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
        assertEquals(2, out.exit(), out.err());
        assertEquals("1 problem in the recipe:\n  " + recipe + ":8:17: stages[1].reference.hf: the model folder " + none
                + " does not exist; hf: DIR names a Hugging Face model folder (config.json, model.safetensors, "
                + "tokenizer.json)\n", out.err());
        assertFalse(Files.exists(runs), "nothing is written for a recipe that cannot run");

        Files.writeString(recipe, Cli.TINY.replace("model:\n  gpt: {layers: 2, width: 32, heads: 2, context_length: 32}",
                "model: {hf: " + none + "}"));
        out = Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
        assertEquals(2, out.exit(), out.err());
        assertTrue(out.err().startsWith("1 problem in the recipe:\n  " + recipe + ":2:9: model.hf: the model folder "
                + none + " does not exist"), out.err());
    }

    /** A lettered multiple-choice suite the run's word tokenizer cannot score is refused before training, at its line. */
    @Test
    void aLetteredSuiteAWordTokenizerCannotScoreIsRefusedAtItsLine(@TempDir Path tmp) throws IOException {
        Path recipe = tmp.resolve("mc.yaml");
        Files.writeString(recipe, Cli.TINY.replace("suites: [answers]",
                "suites: [answers, {multiple_choice: {format: lettered}}]"));
        Path runs = tmp.resolve("runs");
        Cli.Outcome out = Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet");
        assertEquals(2, out.exit(), out.err());
        assertTrue(out.err().startsWith("1 problem in the recipe:\n  " + recipe + ":13:44: stages[2].evaluate.suites[1]"
                + ".multiple_choice.format: the tokenizer encodes '"), out.err());
        assertFalse(Files.exists(runs), "nothing is written for a recipe that cannot run");
    }

    @Test
    void theProvenanceHashFollowsTheRecipe() {
        Recipe r = Lethe.fromYaml(Cli.TINY);
        Recipe other = Lethe.fromYaml(Cli.TINY.replace("beta: 0.1", "beta: 0.2"));
        Provenance p = Provenance.of(r, Lethe.toYaml(r));
        assertEquals(p.hash(), Provenance.of(r, Lethe.toYaml(r)).hash());
        assertNotEquals(p.hash(), Provenance.of(other, Lethe.toYaml(other)).hash());
        assertNotEquals(p.recipeHash(), Provenance.of(other, Lethe.toYaml(other)).recipeHash());
    }

    @Test
    void aBadRecipeExitsWithTwoAndNamesEveryProblemWithoutAStackTrace(@TempDir Path tmp) throws IOException {
        Path recipe = tmp.resolve("bad.yaml");
        Files.writeString(recipe, Cli.TINY.replace("beta: 0.1", "betta: 0.1").replace("steps: 3", "steps: -3"));
        Cli.Outcome o = Cli.lethe("run", recipe.toString(), "--runs", tmp.resolve("runs").toString(), "--no-cache");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains(recipe + ":9:25: stages[1].unlearn.objective.npo.betta: unknown key 'betta' in npo; "
                + "did you mean 'beta'?"), o.err());
        assertTrue(o.err().contains(recipe + ":10:14: stages[1].unlearn.steps: expected an integer >= 0, got -3"), o.err());
        assertFalse(o.err().contains("Exception") || o.err().contains("\tat "), o.err());
        assertFalse(Files.exists(tmp.resolve("runs")), "no run directory for a bad recipe");
        Cli.Outcome missing = Cli.lethe("run", tmp.resolve("nope.yaml").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("nope.yaml:0:0: cannot read"), missing.err());
    }

    @Test
    void evalMeasuresAFinishedRunsModelsAgainWithTheSameResult(@TempDir Path tmp) throws IOException {
        Path recipe = tmp.resolve("tiny.yaml");
        Files.writeString(recipe, Cli.TINY);
        Path runs = tmp.resolve("runs");
        assertEquals(0, Cli.lethe("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet").exit());
        Path dir = runDirs(runs).get(0);
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/manifest.json")));
        byte[] metrics = Files.readAllBytes(dir.resolve("metrics.csv"));

        Cli.Outcome eval = Cli.lethe("eval", dir.toString(), "--quiet");
        assertEquals(0, eval.exit(), eval.err());
        assertArrayEquals(metrics, Files.readAllBytes(dir.resolve("eval/metrics.csv")));
        assertTrue(Files.isRegularFile(dir.resolve("eval/report/index.html")));
        assertTrue(eval.out().contains("full tables: " + dir.resolve("eval/report/tables.txt")), eval.out());
        assertTrue(eval.out().lines().allMatch(l -> l.length() <= 100), "eval leads with the compact headline:\n"
                + eval.out());
        assertArrayEquals(metrics, Files.readAllBytes(dir.resolve("metrics.csv")), "the run's own metrics are kept");

        // the same models under an attack and a suite the run did not have; a recipe that trains differently is refused
        Path more = tmp.resolve("more.yaml");
        Files.writeString(more, Cli.TINY.replace("suites: [answers]", "suites: [answers, privacy]")
                .replace("  - evaluate:", "  - attack: {attacks: [{quantize: {bits: 4}}]}\n  - evaluate:"));
        Cli.Outcome attacked = Cli.lethe("eval", dir.toString(), "--recipe", more.toString(), "--quiet");
        assertEquals(0, attacked.exit(), attacked.err());
        String evaluated = Files.readString(dir.resolve("eval-2/metrics.csv"));
        assertTrue(evaluated.contains("\nunlearned+quantize") && evaluated.contains(",mia_loss,"), evaluated);
        assertTrue(Files.readString(dir.resolve("eval-2/recipe.yaml")).contains("quantize"));
        assertArrayEquals(metrics, Files.readAllBytes(dir.resolve("eval/metrics.csv")), "the first evaluation is kept");
        Path other = tmp.resolve("other.yaml");
        Files.writeString(other, Cli.TINY.replace("steps: 20", "steps: 21"));
        Cli.Outcome refused = Cli.lethe("eval", dir.toString(), "--recipe", other.toString());
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains(other + ": stage learn differs from the run's"), refused.err());

        Cli.Outcome again = Cli.lethe("run", "--resume", dir.toString(), "--quiet");
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already finished"), again.err());
    }

    @Test
    void resumeAndEvalRejectWhatTheyCannotUse(@TempDir Path tmp) throws IOException {
        Cli.Outcome notARun = Cli.lethe("eval", tmp.toString());
        assertEquals(2, notARun.exit());
        assertTrue(notARun.err().contains(tmp + " is not a run directory"), notARun.err());
        assertEquals(2, Cli.lethe("run", "--resume", tmp.toString()).exit());
        Cli.Outcome both = Cli.lethe("run", "x.yaml", "--resume", tmp.toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("either a RECIPE file or --resume RUN_DIR"), both.err());
        assertEquals(2, Cli.lethe("run").exit());

        // a run directory whose training never finished: eval says so and points at --resume
        Path dir = tmp.resolve("unfinished");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("recipe.yaml"), Cli.TINY);
        Files.writeString(dir.resolve("provenance.json"), "{\"hash\": \"0\"}");
        Cli.Outcome untrained = Cli.lethe("eval", dir.toString());
        assertEquals(2, untrained.exit());
        assertTrue(untrained.err().contains("lethe run --resume " + dir), untrained.err());
    }

    @Test
    void compareRejectsADirectoryWithoutMetrics(@TempDir Path tmp) {
        Cli.Outcome o = Cli.lethe("compare", tmp.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("metrics.csv: cannot read"), o.err());
    }

    @Test
    void listShowsThePartsWithTheirParameters() {
        Cli.Outcome all = Cli.lethe("list");
        assertEquals(0, all.exit());
        assertTrue(all.out().contains("  npo - negative preference optimisation"), all.out());
        assertTrue(all.out().contains("      beta: a number > 0, default 0.1 - inverse temperature β"), all.out());
        assertTrue(all.out().contains("recipe fields:") && all.out().contains("scale_by_adam"), all.out());
        assertTrue(all.out().contains("  acu_learn - ACU (arXiv 2505.12239)") && all.out().contains("  acu_unlearn - ACU"),
                all.out());
        assertTrue(all.out().contains("      privleak_retrain_auc: a number in (0, 1), or one of news, books or "
                + "null - report privleak_published"), all.out());
        Cli.Outcome one = Cli.lethe("list", "attack");
        assertEquals(0, one.exit());
        assertTrue(one.out().startsWith("attack:\n") && !one.out().contains("npo"), one.out());
        assertEquals(2, Cli.lethe("list", "objectiv").exit());
    }

    @Test
    void listShowsOpenUnlearningsObjectives() {
        Cli.Outcome objectives = Cli.lethe("list", "objective");
        assertEquals(0, objectives.exit());
        for (String name : List.of("undial", "satimp", "ce_u", "pdu", "altpo")) {
            assertTrue(objectives.out().contains("\n  " + name + " - "), name + " in " + objectives.out());
        }
        assertTrue(objectives.out().contains("      warmup: a number in [0, 1], default 0.5 - fraction of the stage's "
                + "steps before λ moves"), objectives.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("run", "eval", "list", "compare", "doctor", "bench", "quickstart")) {
            Cli.Outcome o = Cli.lethe(command, "--help");
            assertEquals(0, o.exit(), command);
            assertTrue(o.out().contains("Usage: lethe " + command), o.out());
        }
    }
}
