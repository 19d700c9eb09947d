package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class HtmlReportTest {

    private static RunResult tiny() {
        return Lethe.recipe("report")
                .model(new GptConfig(0, 1, 16, 2, 32, 0f))
                .data(new FictitiousFacts(4, 0.25, 1, 2, 1, 1))
                .learn(Training.of(12).batchSize(4))
                .reference()
                .unlearn(Unlearning.of(Objectives.npo()).steps(3).batchSize(2))
                .run(e -> { });
    }

    @Test
    void theReportHoldsTheTableBothChartsAndPlotlyBesideIt(@TempDir Path dir) throws Exception {
        RunResult r = tiny();
        Path index = HtmlReport.write(r, dir);
        String html = Files.readString(index);
        assertTrue(html.contains("<script src=\"plotly.js\"></script>"));
        assertTrue(html.contains("<div id=\"losses\"></div>") && html.contains("<div id=\"tradeoff\"></div>")
                && html.contains("<div id=\"roc\"></div>"));
        assertEquals(3, html.split("Plotly.newPlot", -1).length - 1, "loss, trade-off and ROC charts are drawn");
        assertTrue(html.contains("<th>exact_match</th>") && html.contains("<td>unlearned</td>"));
        assertTrue(Files.size(dir.resolve("plotly.js")) > 1_000_000, "plotly.js is copied whole");
    }

    @Test
    void lossTableHasOneRowPerOptimisationStep() {
        RunResult r = tiny();
        Table losses = Plots.losses(r);
        assertEquals(12 + 12 + 3, losses.rowCount());
        assertEquals(3, losses.stringColumn("stage").unique().size());
        Table trade = Plots.tradeoff(Map.of("a", r), "exact_match");
        assertEquals(3, trade.rowCount(), "learned, reference, unlearned");
    }
}
