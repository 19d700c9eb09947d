package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.ScatterPlot;

class NotebookHtmlTest {

    @Test
    void aRecipeShowsItsStagesInOrderWithCombinedAndLambdaObjectivesSpelledOut() {
        Objective lambda = step -> step.scores(Split.FORGET).meanNll().mean();
        Recipe r = Lethe.recipe("demo")
                .model(new GptConfig(0, 2, 32, 2, 32, 0f))
                .data(new FictitiousFacts(8, 0.25, 2, 3, 1, 1))
                .learn(Training.of(300).batchSize(8))
                .unlearn(Unlearning.of(Objectives.npo().plus(lambda.times(0.5))).steps(40).batchSize(4))
                .attack(Attacks.quantize(4))
                .build();
        String html = NotebookHtml.recipe(r);
        assertTrue(html.contains("<caption>recipe demo</caption>"), html);
        assertTrue(html.contains("<th>model</th><td style=\"text-align:left\">{gpt: {vocab_size: 0, layers: 2, width: 32,"), html);
        assertTrue(html.contains("<th>2. unlearn</th><td style=\"text-align:left\">{objective: {plus: [{npo: {beta: 0.1}}, "
                + "{times: {weight: 0.5, objective: custom objective (unnamed lambda)}}]}"), html);
        assertTrue(html.contains("{scale_by_learning_rate: {schedule: {constant: {lr: 0.001}}}}]}, steps: 40, batch_size: 4"),
                "the unlearning optimizer shows its learning rate: " + html);
        assertTrue(html.contains("<th>1. learn</th><td style=\"text-align:left\">{steps: 300, batch_size: 8, accumulate: 1, optimizer: "), html);
        assertTrue(html.contains("{linear_decay: {lr: 0.003, warmup_steps: 15}}"), html);
        assertTrue(html.contains("<th>3. attack</th><td style=\"text-align:left\">{attacks: [{quantize: {bits: 4}}]}</td>"), html);
        assertTrue(html.contains("<th>4. evaluate</th>"), "the default evaluation is the last stage: " + html);
        assertTrue(!html.contains("<th>reference</th>"), "no reference stage, no row");
        assertTrue(html.contains("{fictitious_facts: {people: 8, forget_fraction: 0.25, holdout_people: 2"), html);
        assertFalse(html.contains("$$Lambda") || html.contains("Unmodifiable"), html);
    }

    @Test
    void longTablesAreCutWithACountAndMissingValuesAreEmpty() {
        Table t = Table.create("numbers", IntColumn.indexColumn("i", 100, 0), DoubleColumn.create("x", 100));
        String html = NotebookHtml.table(t);
        assertEquals(NotebookHtml.MAX_ROWS, html.split("<tr><td>", -1).length - 1);
        assertTrue(html.contains("… 40 more rows of 100") && html.contains("<caption>numbers</caption>"));
        assertTrue(html.contains("<td>0</td><td></td>"), "a missing double is an empty cell");
    }

    @Test
    void theFirstFigureCarriesPlotlyAndEveryFigureGetsItsOwnDiv() {
        Table t = Table.create("t", DoubleColumn.create("x", 1.0, 2.0), DoubleColumn.create("y", 3.0, 4.0));
        PlotlyJs.forgetSent(); // a fresh kernel session, whatever other tests in this JVM rendered
        String first = NotebookHtml.figure(ScatterPlot.create("a", t, "x", "y"));
        String second = NotebookHtml.figure(ScatterPlot.create("b", t, "x", "y"));
        assertTrue(first.startsWith("<script type=\"text/javascript\">if (!window.Plotly) { (function (define, module, exports) {"));
        assertTrue(first.length() > 1_000_000, "plotly.js is inlined whole");
        assertTrue(!second.contains("window.Plotly") && second.contains("Plotly.newPlot"), "later figures rely on it");
        String id1 = first.replaceAll("(?s).*<div id=\"(lethe_plot_[^\"]+)\".*", "$1");
        String id2 = second.replaceAll("(?s).*<div id=\"(lethe_plot_[^\"]+)\".*", "$1");
        assertTrue(!id1.equals(id2) && second.contains("getElementById('" + id2 + "')"), id1 + " " + id2);
    }
}
