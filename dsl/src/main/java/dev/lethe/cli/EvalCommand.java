package dev.lethe.cli;

import dev.lethe.io.AtomicFiles;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.report.ConsoleSummary;
import dev.lethe.report.HtmlReport;
import dev.lethe.result.RunResult;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.run.RunDirectory;
import dev.lethe.run.Runner;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code lethe eval <run-dir>}: evaluates the models a run trained (kept in its checkpoints) again, with the
 * run's attacks and suites, without training anything.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate the trained models of a run directory again (learned, reference, unlearned, from",
            "its checkpoints/), with the attacks and suites of its recipe.yaml, or of another recipe file given",
            "with --recipe; nothing is trained. Prints the table and writes RUN_DIR/eval/ (then eval-2/, ...: never",
            "overwritten) with the recipe used, metrics.csv, report/ and what save stages write (models/); the run's",
            "own files are left as they are, nothing is deleted. The run directory is locked meanwhile (run.lock).",
            "With the run's own recipe on the same machine and code, the values equal the run's metrics.csv.",
            "Exit codes: 0 done, 2 not a run directory, in use by another process, read-only, its models not all",
            "trained, or a recipe that trains differently; 1 failure."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory written by lethe run.")
    Path runDir;

    @Option(names = "--recipe", paramLabel = "FILE",
            description = {"Take the evaluate and attacks sections (and the device) from FILE, e.g. a copy of the run's",
                "recipe.yaml with more attacks or suites; its training sections must be the run's."})
    @Nullable Path recipeFile;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RecipeCodec codec = RecipeCodec.standard();
        RunDirectory dir;
        try {
            dir = RunDirectory.open(runDir, codec);
        } catch (IllegalArgumentException e) {
            return BadInput.report(err, "eval", e);
        }
        try (dir) {
            return evaluate(dir, codec, out, err);
        }
    }

    /** Evaluates the models of the locked {@code dir}: reads its checkpoints, writes only into a new eval folder. */
    private int evaluate(RunDirectory dir, RecipeCodec codec, PrintWriter out, PrintWriter err) {
        Recipe recipe = dir.recipe();
        Runner runner;
        try {
            if (!dir.isTrained()) {
                return BadInput.report(err, "eval", runDir + " does not hold every model its recipe trains (the run "
                        + "was stopped before the end of its training stages); lethe run --resume " + runDir
                        + " finishes it");
            }
            if (recipeFile != null) {
                recipe = withEvaluationOf(recipe, codec.read(recipeFile), recipeFile);
            }
            runner = Runner.of(recipe).restoreFrom(dir.checkpoints());
        } catch (IllegalArgumentException e) {
            return BadInput.report(err, "eval", e);
        }
        Path eval = freeFolder(runDir);
        runner.saveTo(eval.resolve("models"));
        if (!quiet) {
            runner.listener(ConsoleProgress.toStandardError());
        }
        RunResult result;
        try {
            result = runner.run();
            AtomicFiles.writeString(eval.resolve("recipe.yaml"), codec.write(recipe));
            AtomicFiles.writeString(eval.resolve("metrics.csv"), result.csv());
            HtmlReport.write(result, eval.resolve("report"));
        } catch (IllegalArgumentException e) {
            return BadInput.report(err, "eval", e);
        } catch (RuntimeException | Error e) {
            return Failure.report(err, "eval", e, eval.resolve("error.txt"), "");
        }
        out.print(ConsoleSummary.of(result, eval.resolve("report")));
        out.println("written to " + Printable.escape(eval.toString()));
        out.flush();
        return 0;
    }

    /**
     * {@code run} with the device and the stages of {@code other}, whose training stages (every stage but attack,
     * evaluate and save) must be the run's: those are restored from the checkpoints, the others run again.
     *
     * @throws IllegalArgumentException naming the first place where {@code other} trains differently
     */
    static Recipe withEvaluationOf(Recipe run, Recipe other, Path otherFile) {
        requireSame(otherFile, "seed", run.seed(), other.seed());
        requireSame(otherFile, "model", run.model(), other.model());
        requireSame(otherFile, "data", run.data(), other.data());
        List<NamedStage> mine = training(run);
        List<NamedStage> theirs = training(other);
        for (int i = 0; i < Math.max(mine.size(), theirs.size()); i++) {
            NamedStage a = i < mine.size() ? mine.get(i) : null;
            NamedStage b = i < theirs.size() ? theirs.get(i) : null;
            requireSame(otherFile, "stage " + (a != null ? a.name() : b.name()), a == null ? null : a.stage(),
                    b == null ? null : b.stage());
        }
        return new Recipe(run.name(), run.seed(), other.device(), run.model(), run.data(), other.stages());
    }

    /** The training stages of {@code recipe}, named. */
    private static List<NamedStage> training(Recipe recipe) {
        return recipe.named().stream().filter(s -> s.stage().trains()).toList();
    }

    private static void requireSame(Path otherFile, String section, @Nullable Object run, @Nullable Object other) {
        if (!Objects.equals(run, other)) {
            throw new IllegalArgumentException(otherFile + ": " + section + " differs from the run's; the run's "
                    + "models were not trained by this recipe (only the attack, evaluate and save stages, the device and the name may differ)");
        }
    }

    /** {@code eval}, or {@code eval-2}, {@code eval-3}, ...: the first that does not exist yet (created). */
    private static Path freeFolder(Path runDir) {
        for (int n = 1; ; n++) {
            Path p = runDir.resolve(n == 1 ? "eval" : "eval-" + n);
            try {
                Files.createDirectory(p);
                return p;
            } catch (FileAlreadyExistsException e) {
                // an earlier evaluation's: keep it
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + p, e);
            }
        }
    }
}
