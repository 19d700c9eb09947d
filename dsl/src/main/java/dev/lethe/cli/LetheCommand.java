package dev.lethe.cli;

import dev.lethe.Quickstart;
import dev.lethe.io.AtomicFiles;
import dev.lethe.report.ConsoleSummary;
import dev.lethe.report.HtmlReport;
import dev.lethe.result.RunResult;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.run.EngineCache;
import dev.lethe.run.Runner;
import dev.lethe.util.Printable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** The {@code lethe} command line. */
@Command(name = "lethe", mixinStandardHelpOptions = true, version = "lethe " + dev.lethe.Lethe.VERSION,
        description = "A workbench for machine-unlearning research.",
        subcommands = {LetheCommand.QuickstartCommand.class, RunCommand.class, EvalCommand.class, CompareCommand.class,
            ListCommand.class, DoctorCommand.class, BenchCommand.class, BaseCommand.class})
public final class LetheCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the built-in quickstart recipe, prints its headline and writes its report. */
    @Command(name = "quickstart", mixinStandardHelpOptions = true,
            description = "Learn the fictitious-facts benchmark, retrain a reference, unlearn with NPO, evaluate.")
    static final class QuickstartCommand implements Callable<Integer> {
        @Option(names = "--cache", paramLabel = "DIR",
                description = "Folder of trained models to reuse (default: $LETHE_CACHE, else ~/.cache/lethe/models).")
        @org.jspecify.annotations.Nullable Path cache;

        @Option(names = "--no-cache", description = "Train every model again.")
        boolean noCache;

        @Option(names = "--device", defaultValue = "cpu",
                description = "cpu, gpu, gpu:N or auto (default: ${DEFAULT-VALUE}); a GPU needs the -Pgpu build, see README.")
        String device;

        @Option(names = "--csv", paramLabel = "FILE",
                description = "Also write every metric at full precision as CSV (model, split, metric, value).")
        @org.jspecify.annotations.Nullable Path csv;

        @Option(names = "--report", paramLabel = "DIR", defaultValue = "runs/quickstart",
                description = "Where the report goes: every table in full (tables.txt) and the charts (index.html, "
                        + "opens offline) (default: ${DEFAULT-VALUE}).")
        Path report;

        @Override
        public Integer call() {
            Runner runner = Runner.of(Quickstart.recipe(device)).listener(ConsoleProgress.toStandardError());
            if (noCache) {
                runner.noCache();
            } else if (cache != null) {
                runner.cache(cache);
            }
            RunResult result = runner.run();
            HtmlReport.write(result, report);
            System.out.print(ConsoleSummary.of(result, report));
            if (csv != null) {
                AtomicFiles.writeString(csv, result.csv());
                System.out.println("metrics written to " + Printable.escape(csv.toString()));
            }
            result.stopReasons().forEach(r -> System.out.println("stopped early: " + r));
            return result.stopReasons().isEmpty() ? 0 : 3;
        }
    }

    /** The commands that load the engine's native libraries, checked by {@link EngineCache} first. */
    private static final java.util.Set<String> ENGINE_COMMANDS = java.util.Set.of("quickstart", "run", "eval", "bench",
            "base");

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        if (args.length > 0 && ENGINE_COMMANDS.contains(args[0])) {
            String unsafe = EngineCache.problem(); // before anything loads libtorch (lethe doctor reports it instead)
            if (unsafe != null) {
                System.err.println("lethe " + args[0] + ": " + unsafe);
                System.exit(BadInput.EXIT);
            }
        }
        CommandLine cli = new CommandLine(new LetheCommand());
        // bad input (a device that is not there, a malformed value) is the user's to fix: one line, no stack trace
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                line.getErr().println("lethe: " + dev.lethe.util.Printable.escape(String.valueOf(e.getMessage())));
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }
}
