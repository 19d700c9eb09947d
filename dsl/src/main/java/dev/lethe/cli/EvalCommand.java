package dev.lethe.cli;

import dev.lethe.RunResult;
import dev.lethe.io.AtomicFiles;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.recipe.RecipeException;
import dev.lethe.report.HtmlReport;
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

/**
 * {@code lethe eval <run-dir>}: evaluates the models a run trained (kept in its checkpoints) again, with the
 * run's attacks and suites, without training anything.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate the trained models of a run directory again (learned, reference, unlearned, from",
            "its checkpoints/), with the attacks and suites of its recipe.yaml; nothing is trained. Prints the",
            "table and writes RUN_DIR/eval/metrics.csv and RUN_DIR/eval/report/ (the run's own files are left as",
            "they are). On the same machine and code the final values equal the run's metrics.csv.",
            "Exit codes: 0 done, 2 not a run directory or its models are not all trained, 1 failure."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory written by lethe run.")
    Path runDir;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunDirectory dir;
        try {
            dir = RunDirectory.open(runDir, RecipeCodec.standard());
        } catch (IllegalArgumentException e) {
            err.println((e instanceof RecipeException ? "" : "lethe eval: ") + e.getMessage());
            err.flush();
            return 2;
        }
        if (!dir.isTrained()) {
            err.println("lethe eval: " + runDir + " does not hold every model its recipe trains (the run was stopped "
                    + "before the end of its training stages); lethe run --resume " + runDir + " finishes it");
            err.flush();
            return 2;
        }
        Runner runner = Runner.of(dir.recipe()).checkpoints(dir.checkpoints(), 0);
        if (!quiet) {
            runner.listener(ConsoleProgress.toStandardError());
        }
        RunResult result = runner.run();
        Path eval = runDir.resolve("eval");
        AtomicFiles.writeString(eval.resolve("metrics.csv"), result.csv());
        HtmlReport.write(result, eval.resolve("report"));
        out.println(result.summary().printAll());
        out.println("written to " + eval);
        out.flush();
        return 0;
    }
}
