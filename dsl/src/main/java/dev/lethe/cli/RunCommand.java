package dev.lethe.cli;

import dev.lethe.part.FieldException;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.report.ConsoleSummary;
import dev.lethe.report.HtmlReport;
import dev.lethe.result.RunResult;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.run.Preflight;
import dev.lethe.run.RunDirectory;
import dev.lethe.run.Runner;
import dev.lethe.spec.Recipe;
import dev.lethe.util.Printable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code lethe run <recipe.yaml>}: runs a recipe file and keeps everything in a new run directory;
 * {@code lethe run --resume <run-dir>} continues a run that was killed from its last checkpoint.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a recipe file (YAML or JSON) and write everything into a new run directory",
            "<runs>/<name>-<hash>/: recipe.yaml, provenance.json, events.jsonl, checkpoints/, metrics.csv, report/.",
            "With --resume RUN_DIR, continue a run that was killed (even with kill -9) from its last checkpoint;",
            "it ends with the metrics an uninterrupted run would have written.",
            "Exit codes: 0 done, 2 bad recipe or input, 1 failure, 3 done but a stage stopped early."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RECIPE",
            description = "The recipe file (see docs/recipes.md); not with --resume.")
    @Nullable Path recipeFile;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its last checkpoint instead of starting a new one.")
    @Nullable Path resume;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs",
            description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "50",
            description = "Steps between mid-stage checkpoints of a training stage; 0 keeps only stage ends "
                    + "(default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Folder of trained models to reuse (default: $LETHE_CACHE, else ~/.cache/lethe/models).")
    @Nullable Path cache;

    @Option(names = "--no-cache", description = "Train every model again.")
    boolean noCache;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((recipeFile == null) == (resume == null)) {
            return BadInput.report(err, "run", "give either a RECIPE file or --resume RUN_DIR (see lethe run --help)");
        }
        if (checkpointEvery < 0) {
            return BadInput.report(err, "run", "--checkpoint-every must be >= 0, was " + checkpointEvery);
        }
        RecipeCodec codec = RecipeCodec.standard();
        RunDirectory dir;
        try {
            dir = resume == null ? RunDirectory.create(runs, checked(codec, recipeFile), codec)
                    : open(resume, codec, err);
        } catch (IllegalArgumentException e) {
            return BadInput.report(err, "run", e);
        }
        try (dir) {
            return run(dir, out, err);
        }
    }

    /** The recipe in {@code file}, checked ({@link Preflight}); a field's problem names its line in the file. */
    private static Recipe checked(RecipeCodec codec, Path file) {
        Recipe recipe = codec.read(file);
        try {
            return Preflight.checked(recipe);
        } catch (FieldException e) {
            throw codec.blame(file, e);
        }
    }

    /** Runs, then finishes, the run in {@code dir}; a failure in either leaves a run that {@code --resume} continues. */
    private int run(RunDirectory dir, PrintWriter out, PrintWriter err) {
        out.println((resume == null ? "run directory: " : "resuming ") + dir.path());
        out.flush();
        Runner runner = Runner.of(dir.recipe()).listener(dir.events()).saveTo(dir.path().resolve("models"));
        if (!quiet) {
            runner.listener(ConsoleProgress.toStandardError());
        }
        if (noCache) {
            runner.noCache();
        } else if (cache != null) {
            runner.cache(cache);
        }
        RunResult result;
        try {
            result = runner.checkpoints(dir.checkpoints(), checkpointEvery).run();
            HtmlReport.write(result, dir.report());
            dir.finish(result);
        } catch (IllegalArgumentException e) {
            dir.fail(e);
            return BadInput.report(err, "run", "bad input: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            Path trace = dir.fail(e);
            err.println("lethe run: failed: " + Failure.oneLine(e)
                    + (trace == null ? "" : " (stack trace in " + Printable.escape(trace.toString()) + ")")
                    + "; lethe run --resume " + Printable.escape(dir.path().toString()) + " continues the run");
            err.flush();
            return 1;
        }
        out.print(ConsoleSummary.of(result, dir.report()));
        out.println(result.stages().printAll());
        result.stopReasons().forEach(r -> out.println("stopped early: " + r));
        out.println("written to " + dir.path());
        out.flush();
        return result.stopReasons().isEmpty() ? 0 : 3;
    }

    /**
     * The run directory to continue.
     *
     * @throws IllegalArgumentException when it is not one, or its run already finished
     */
    private static RunDirectory open(Path dir, RecipeCodec codec, PrintWriter err) {
        RunDirectory rd = RunDirectory.open(dir, codec);
        try {
            return resumable(rd, dir, err);
        } catch (RuntimeException e) {
            rd.close();
            throw e;
        }
    }

    private static RunDirectory resumable(RunDirectory rd, Path dir, PrintWriter err) {
        if (rd.isFinished()) {
            throw new IllegalArgumentException(dir + " already finished (it has its metrics.csv and its run_finished "
                    + "event); lethe eval " + dir + " evaluates its models again");
        }
        if (rd.codeOrRecipeChanged()) {
            err.println("lethe run: warning: the code, the recipe or its data differs from " + dir.resolve("provenance.json")
                    + "; the continued run may not give the numbers the original code would have");
            err.flush();
        }
        rd.events().append(Map.of("event", "run_resumed"));
        return rd;
    }
}
