package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code lethe run} prints: a headline a terminal can show, and where the full tables are. */
class ConsoleOutputTest {
    @Test
    void aRunPrintsANarrowHeadlineWithForgetQualityInScientificNotationAndWhereTheFullTablesAre(@TempDir Path tmp)
            throws IOException {
        Path recipe = tmp.resolve("headline.yaml");
        Files.writeString(recipe, Lethe.toYaml(Lethe.recipe("headline")
                .model(new GptConfig(0, 1, 16, 2, 32, 0f))
                .data(new FictitiousFacts(6, 0.34, 2, 2, 1, 1))
                .learn(Training.of(12).batchSize(4))
                .reference()
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(3).batchSize(2))
                .attack(Attacks.quantize(4))
                .build()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new LetheCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        Path runs = tmp.resolve("runs");
        assertEquals(0, cli.execute("run", recipe.toString(), "--runs", runs.toString(), "--no-cache", "--quiet"),
                err.toString());
        Path dir;
        try (Stream<Path> s = Files.list(runs)) {
            dir = s.findFirst().orElseThrow();
        }
        String printed = out.toString();
        for (String line : printed.lines().toList()) {
            assertTrue(line.length() <= 100, "a line of " + line.length() + " characters:\n" + printed);
        }
        List<String> lines = printed.lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("model ")).findFirst().orElseThrow();
        assertTrue(header.contains("forget EM") && header.contains("retain EM") && header.contains("world EM")
                && header.contains("forget quality"), printed);
        double quality = Double.NaN;
        for (String row : Files.readAllLines(dir.resolve("metrics.csv"))) {
            if (row.startsWith("unlearned,evaluate,forget,forget_quality,")) {
                quality = Double.parseDouble(row.split(",")[4]);
            }
        }
        String unlearned = lines.stream().filter(l -> l.startsWith("unlearned ")).findFirst().orElseThrow();
        assertTrue(unlearned.contains(String.format(Locale.ROOT, "%.1e", quality)), quality + " in\n" + printed);
        Path tables = dir.resolve("report").resolve("tables.txt");
        assertTrue(printed.contains("full tables: " + tables), printed);
        String full = Files.readString(tables);
        assertTrue(full.contains("truth_ratio") && full.contains("token_accuracy") && full.contains("mia_auc_min_k")
                && full.contains("quantize4"), full);
    }
}
