package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.Metric;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The charts a researcher puts in a paper: fixed metric axes, labelled points, no hidden model, a panel per stage. */
class ChartsTest {
    private static final Recipe RECIPE = Lethe.recipe("charts").model(new GptConfig(0, 1, 16, 2, 32, 0f))
            .data(new FictitiousFacts(6, 0.34, 2, 2, 1, 1))
            .learn(Training.of(300))
            .unlearn(Unlearning.of(Objectives.npo()).steps(40))
            .build();

    /** learned, reference, unlearned and its int4 copy at exactly the unlearned model's place; losses of two stages. */
    private static RunResult result() {
        Map<String, ModelRole> roles = new LinkedHashMap<>();
        roles.put("learned", ModelRole.LEARNED);
        roles.put("reference", ModelRole.REFERENCE);
        roles.put("unlearned", ModelRole.UNLEARNED);
        roles.put("unlearned+quantize4", ModelRole.ATTACKED);
        double[][] em = {{1.0, 1.0}, {0.1, 1.0}, {0.0, 0.9667}, {0.0, 0.9667}};
        List<RunResult.Row> rows = new ArrayList<>();
        int i = 0;
        for (String model : roles.keySet()) {
            String stage = model.contains("+") ? RunResult.ATTACK : RunResult.EVALUATE;
            rows.add(new RunResult.Row(model, stage, "forget", "exact_match", em[i][0], 0));
            rows.add(new RunResult.Row(model, stage, "retain", "exact_match", em[i][1], 0));
            i++;
        }
        List<RunEvent> events = new ArrayList<>();
        for (int step = 0; step < 300; step += 10) {
            events.add(new RunEvent.Progress("learn", step, 300, 5.0 / (1 + step), 10));
        }
        for (int step = 0; step < 40; step++) {
            events.add(new RunEvent.Progress("unlearn", step, 40, -step, 10));
        }
        return new RunResult(RECIPE, rows, events, Metric.byName(List.of(AnswerSuite.EXACT_MATCH)), roles);
    }

    private static JsonNode json(PlotlyFigure f) throws Exception {
        return new ObjectMapper().readTree(f.json());
    }

    @Test
    void theTradeoffAxesSpanTheMetricsRangeAndEveryPointIsLabelledWithAReadableMarker() throws Exception {
        JsonNode f = json(Plots.tradeoffPlot(Map.of("charts", result()), "exact_match"));
        for (String axis : List.of("xaxis", "yaxis")) {
            JsonNode range = f.get("layout").get(axis).get("range");
            assertEquals(-0.05, range.get(0).asDouble(), 1e-12, axis);
            assertEquals(1.05, range.get(1).asDouble(), 1e-12, axis);
        }
        assertEquals("retain exact_match", f.get("layout").get("xaxis").get("title").get("text").asText());
        Set<String> labels = new HashSet<>();
        for (JsonNode trace : f.get("data")) {
            assertEquals("markers+text", trace.get("mode").asText());
            assertTrue(trace.get("marker").get("size").asInt() >= 10, trace.toString());
            trace.get("text").forEach(t -> labels.add(t.asText()));
            String hover = trace.get("hovertemplate").asText();
            assertTrue(hover.contains("model %{customdata[1]}") && hover.contains("stage %{customdata[2]}")
                    && hover.contains("forget exact_match %{customdata[4]:.4f}"), hover);
        }
        assertEquals(Set.of("learned", "reference", "unlearned", "unlearned+quantize4"), labels);
        assertEquals(4, f.get("data").size(), "one trace (colour and legend entry) per model");
    }

    @Test
    void twoModelsAtTheSamePlaceAreBothVisibleAndHoverShowsTheirTrueValues() throws Exception {
        JsonNode f = json(Plots.tradeoffPlot(Map.of("charts", result()), "exact_match"));
        Map<String, JsonNode> byModel = new LinkedHashMap<>();
        for (JsonNode trace : f.get("data")) {
            byModel.put(trace.get("name").asText(), trace);
        }
        JsonNode a = byModel.get("unlearned");
        JsonNode b = byModel.get("unlearned+quantize4");
        double dx = a.get("x").get(0).asDouble() - b.get("x").get(0).asDouble();
        double dy = a.get("y").get(0).asDouble() - b.get("y").get(0).asDouble();
        assertTrue(Math.hypot(dx, dy) >= 0.04, "drawn " + Math.hypot(dx, dy) + " apart on a [0, 1] axis");
        assertTrue(!a.get("textposition").get(0).asText().equals(b.get("textposition").get(0).asText()),
                "labels on opposite sides");
        for (JsonNode t : List.of(a, b)) {
            assertEquals(0.0, t.get("customdata").get(0).get(4).asDouble(), 0.0);
            assertEquals(0.9667, t.get("customdata").get(0).get(3).asDouble(), 0.0);
        }
        assertEquals("attack", b.get("customdata").get(0).get(2).asText());
        JsonNode learned = byModel.get("learned");
        assertEquals(1.0, learned.get("x").get(0).asDouble(), 0.0, "a point that overlaps none stays at its value");
    }

    @Test
    void eachStagesLossHasItsOwnPanelAndXRangeAndHoverNamesStageModelAndValue() throws Exception {
        JsonNode f = json(Plots.lossCurves(result()));
        JsonNode data = f.get("data");
        assertEquals(2, data.size());
        assertEquals("x", data.get(0).get("xaxis").asText());
        assertEquals("x2", data.get(1).get("xaxis").asText());
        assertEquals("y2", data.get(1).get("yaxis").asText());
        JsonNode layout = f.get("layout");
        assertEquals(2, layout.get("grid").get("rows").asInt());
        assertEquals("[0,290]", layout.get("xaxis").get("range").toString());
        assertEquals("[0,39]", layout.get("xaxis2").get("range").toString());
        assertEquals("step of unlearn", layout.get("xaxis2").get("title").get("text").asText());
        assertEquals("stage unlearn<br>model unlearned<br>step %{x}<br>loss %{y:.4f}<extra></extra>",
                data.get(1).get("hovertemplate").asText());
        assertEquals(40, data.get(1).get("x").size());
    }

    @Test
    void aContinualCurveRunsOnItsMetricsRangeWithAPanelPerStageAndHoverNamesModelStageSplit() throws Exception {
        JsonNode f = json(Plots.curvePlot(dev.lethe.result.RunResultTest.result(), "exact_match"));
        assertEquals(2, f.get("data").size(), "forget and retain of the unlearned model");
        assertEquals("[-0.05,1.05]", f.get("layout").get("yaxis").get("range").toString());
        assertEquals("[0,8]", f.get("layout").get("xaxis").get("range").toString());
        assertEquals("model unlearned<br>stage unlearn<br>split retain<br>step %{x}<br>exact_match %{y:.4f}"
                + "<extra></extra>", f.get("data").get(1).get("hovertemplate").asText());
    }

    @Test
    void aFigureDrawsItselfAsTablesawsFiguresDoWithoutEndingItsScript() {
        Recipe odd = Lethe.recipe("a</script>b").model(new GptConfig(0, 1, 16, 2, 32, 0f))
                .data(new FictitiousFacts(6, 0.34, 2, 2, 1, 1)).build();
        RunResult r = new RunResult(odd, List.of(), List.of(new RunEvent.Progress("learn", 0, 1, 1.0, 1)), Map.of(),
                Map.of());
        String js = Plots.lossCurves(r).asJavascript("losses");
        assertTrue(js.startsWith("<script>") && js.contains("Plotly.newPlot(document.getElementById(\"losses\")"), js);
        assertEquals(1, js.split("</script>", -1).length - 1, js);
    }
}
