package dev.lethe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The command line run in-process by the tests, and the tiny recipe most of them run. */
final class Cli {
    /** A recipe of a few seconds: learn, unlearn with NPO, evaluate answers on forget and retain. */
    static final String TINY = """
            name: tiny
            model:
              gpt: {layers: 2, width: 32, heads: 2, context_length: 32}
            data:
              fictitious_facts: {people: 8, forget_fraction: 0.25, holdout_people: 2, facts_per_person: 3, world_countries: 2, real_authors: 2}
            stages:
              - learn: {steps: 20, batch_size: 8}
              - unlearn:
                  objective: {npo: {beta: 0.1}}
                  steps: 3
                  batch_size: 4
              - evaluate:
                  suites: [answers]
                  splits: [forget, retain]
            """;

    private Cli() {}

    /**
     * The exit code, standard output and standard error of one command.
     *
     * @param exit the exit code
     * @param out standard output
     * @param err standard error
     */
    record Outcome(int exit, String out, String err) {}

    /** Runs {@code lethe <args>} in this JVM. */
    static Outcome lethe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new LetheCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Outcome(exit, out.toString(), err.toString());
    }
}
