package dev.lethe.cli;

import dev.lethe.Recipe;
import dev.lethe.RunResult;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.recipe.RecipeException;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.run.RunDirectory;
import dev.lethe.run.Runner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lethe run <recipe.yaml>}: runs a recipe file and keeps everything in a new run directory. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a recipe file (YAML or JSON) and write everything into a new run directory",
            "<runs>/<name>-<hash>/: recipe.yaml, provenance.json, events.jsonl, metrics.csv, report/.",
            "Exit codes: 0 done, 2 bad recipe or input, 1 failure, 3 done but a stage stopped early."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RECIPE", description = "The recipe file (see docs/recipes.md).")
    Path recipeFile;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs",
            description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Option(names = "--cache", paramLabel = "DIR", defaultValue = "${user.home}/.cache/lethe/models",
            description = "Folder of trained models to reuse (default: ${DEFAULT-VALUE}).")
    Path cache;

    @Option(names = "--no-cache", description = "Train every model again.")
    boolean noCache;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RecipeCodec codec = RecipeCodec.standard();
        Recipe recipe;
        try {
            recipe = codec.read(recipeFile);
        } catch (RecipeException e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
        RunDirectory dir = RunDirectory.create(runs, recipe, codec);
        out.println("run directory: " + dir.path());
        out.flush();
        Runner runner = Runner.of(recipe).listener(dir.events());
        if (!quiet) {
            runner.listener(ConsoleProgress.toStandardError());
        }
        if (!noCache) {
            runner.cache(cache);
        }
        RunResult result;
        try {
            result = runner.run();
        } catch (IllegalArgumentException e) {
            dir.fail(e);
            err.println("lethe run: bad input: " + e.getMessage());
            err.flush();
            return 2;
        } catch (RuntimeException | Error e) {
            dir.fail(e);
            err.println("lethe run: failed: " + e + " (stack trace in " + dir.path().resolve("error.txt") + ")");
            err.flush();
            return 1;
        }
        dir.finish(result);
        out.println(result.summary().printAll());
        result.stopReasons().forEach(r -> out.println("stopped early: " + r));
        out.println("written to " + dir.path());
        out.flush();
        return result.stopReasons().isEmpty() ? 0 : 3;
    }
}
