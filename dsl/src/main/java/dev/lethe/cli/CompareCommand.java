package dev.lethe.cli;

import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code lethe compare <run-dir>...}: the metrics of several runs side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Show the metrics.csv of several run directories side by side: one row per model, split",
            "and metric (final values; continual-evaluation curves are left out), one column per run (empty",
            "where a run lacks the metric). Exit code 2 when a",
            "directory has no readable metrics.csv."})
final class CompareCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directories written by lethe run.")
    List<Path> runs;

    private static final String HEADER = "model,stage,split,metric,value,step";
    /** Stages whose rows are final values; the others are points of continual-evaluation curves. */
    private static final java.util.Set<String> FINAL_STAGES = java.util.Set.of("evaluate", "attack");

    /** The most decimals {@code --digits} may ask for. */
    private static final int MAX_DIGITS = 17;

    @Option(names = "--digits", defaultValue = "4", description = "Decimals shown, 0 to 17 (default: ${DEFAULT-VALUE}).")
    int digits;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (digits < 0 || digits > MAX_DIGITS) {
            return BadInput.report(err, "compare", "--digits must be from 0 to " + MAX_DIGITS + " (a double has about "
                    + "17 significant digits), was " + digits);
        }
        Map<List<String>, String[]> rows = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            Path csv = runs.get(i).resolve("metrics.csv");
            List<String> lines;
            try {
                lines = Files.readAllLines(ConfinedPaths.regularFile(csv, "metrics file"));
            } catch (IOException | IllegalArgumentException e) {
                return BadInput.report(err, "compare", csv + ": cannot read (" + e.getClass().getSimpleName()
                        + "); is " + runs.get(i) + " a finished run directory?");
            }
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                return BadInput.report(err, "compare", csv + ":1: expected the header " + HEADER);
            }
            for (int n = 1; n < lines.size(); n++) {
                String[] f = lines.get(n).split(",", -1);
                if (f.length != 6) {
                    return BadInput.report(err, "compare", csv + ":" + (n + 1) + ": expected 6 fields, got " + f.length);
                }
                if (!FINAL_STAGES.contains(f[1])) {
                    continue; // a point of a curve (continual evaluation), not a final value
                }
                try {
                    double v = Double.parseDouble(f[4]);
                    rows.computeIfAbsent(List.of(f[0], f[2], f[3]), k -> new String[runs.size()])[i] =
                            String.format(Locale.ROOT, "%." + digits + "f", v);
                } catch (NumberFormatException e) {
                    return BadInput.report(err, "compare", csv + ":" + (n + 1) + ": not a number: " + f[4]);
                }
            }
        }
        List<String[]> table = new ArrayList<>();
        String[] header = new String[3 + runs.size()];
        header[0] = "model";
        header[1] = "split";
        header[2] = "metric";
        for (int i = 0; i < runs.size(); i++) {
            Path name = runs.get(i).toAbsolutePath().normalize().getFileName();
            header[3 + i] = name == null ? runs.get(i).toString() : name.toString();
        }
        table.add(header);
        rows.forEach((k, v) -> {
            String[] row = new String[3 + v.length];
            row[0] = k.get(0);
            row[1] = k.get(1);
            row[2] = k.get(2);
            for (int i = 0; i < v.length; i++) {
                row[3 + i] = v[i] == null ? "" : v[i];
            }
            table.add(row);
        });
        print(table, spec.commandLine().getOut());
        return 0;
    }

    /** Left-aligned text columns, numbers right-aligned. */
    private static void print(List<String[]> table, PrintWriter out) {
        int[] width = new int[table.get(0).length];
        for (String[] row : table) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : table) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String cell = c < 3 ? String.format("%-" + width[c] + "s", row[c])
                        : String.format("%" + width[c] + "s", row[c]);
                sb.append(c == 0 ? "" : "  ").append(cell);
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }
}
