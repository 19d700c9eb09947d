package dev.lethe.report;

import dev.lethe.RunResult;
import dev.lethe.data.Split;
import dev.lethe.run.RunEvent;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.LinePlot;
import tech.tablesaw.plotly.api.ScatterPlot;
import tech.tablesaw.plotly.components.Figure;

/** One-call Plotly figures from run results (Tablesaw's style: a title, a table, the columns). */
public final class Plots {
    private Plots() {}

    /** The per-step losses of every optimisation stage, tidy: {@code stage, step, loss}. */
    public static Table losses(RunResult result) {
        Table t = Table.create("losses", StringColumn.create("stage"), IntColumn.create("step"),
                DoubleColumn.create("loss"));
        for (RunEvent e : result.events()) {
            if (e instanceof RunEvent.Progress p && !Double.isNaN(p.loss())) {
                t.stringColumn("stage").append(p.stage());
                t.intColumn("step").append((int) p.step());
                t.doubleColumn("loss").append(p.loss());
            }
        }
        return t;
    }

    /** Loss against step, one line per stage. */
    public static Figure lossCurves(RunResult result) {
        return LinePlot.create(result.recipe().name() + ": loss per step", losses(result), "step", "loss", "stage");
    }

    /**
     * The continual-evaluation curves of {@code metric}, tidy: {@code curve, step, value}, one curve per
     * model, training stage and split ({@code "<model> <stage> <split>"}), from {@link RunResult#table()}.
     */
    public static Table curves(RunResult result, String metric) {
        Table t = Table.create(metric + " during training", StringColumn.create("curve"), IntColumn.create("step"),
                DoubleColumn.create("value"));
        for (RunResult.Row r : result.rows()) {
            if (!r.isFinal() && r.metric().equals(metric)) {
                t.stringColumn("curve").append(r.model() + " " + r.stage() + " " + r.split());
                t.intColumn("step").append((int) r.step());
                t.doubleColumn("value").append(r.value());
            }
        }
        return t;
    }

    /** {@code metric} against step during training, one line per model, stage and split ({@link #curves}). */
    public static Figure curvePlot(RunResult result, String metric) {
        return LinePlot.create(result.recipe().name() + ": " + metric + " during training", curves(result, metric),
                "step", "value", "curve");
    }

    /**
     * The forget/retain trade-off of several runs: one point per run and model, x = retain {@code metric},
     * y = forget {@code metric}. The ideal unlearned model sits at high retain and at the reference's forget
     * value.
     */
    public static Table tradeoff(Map<String, RunResult> runs, String metric) {
        Table t = Table.create("tradeoff", StringColumn.create("run"), StringColumn.create("model"),
                DoubleColumn.create("retain"), DoubleColumn.create("forget"));
        runs.forEach((name, r) -> {
            for (String model : r.table().stringColumn("model").unique()) {
                t.stringColumn("run").append(name);
                t.stringColumn("model").append(model);
                t.doubleColumn("retain").append(r.value(model, Split.RETAIN, metric));
                t.doubleColumn("forget").append(r.value(model, Split.FORGET, metric));
            }
        });
        return t;
    }

    /** Scatter of {@link #tradeoff}: forget against retain {@code metric}, coloured by model. */
    public static Figure tradeoffPlot(Map<String, RunResult> runs, String metric) {
        return ScatterPlot.create("forget vs retain " + metric, tradeoff(runs, metric), "retain", "forget", "model");
    }
}
