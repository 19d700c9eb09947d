package dev.lethe.report;

import dev.lethe.data.Split;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.stats.RocCurve;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.LinePlot;
import tech.tablesaw.plotly.api.ScatterPlot;
import tech.tablesaw.plotly.api.VerticalBarPlot;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;

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

    /**
     * The forget/retain trade-off across methods: one point per run for its first {@link ModelRole#UNLEARNED
     * unlearned} model, labelled with the run's name, and the first learned and reference models of the first run
     * that has them as anchors (labelled by their names). Columns {@code label, retain, forget} ({@code metric} on
     * each split).
     */
    public static Table methodTradeoff(Map<String, RunResult> runs, String metric) {
        Table t = Table.create("method tradeoff", StringColumn.create("label"), DoubleColumn.create("retain"),
                DoubleColumn.create("forget"));
        Set<ModelRole> anchors = EnumSet.noneOf(ModelRole.class);
        runs.forEach((name, r) -> {
            for (ModelRole anchor : List.of(ModelRole.LEARNED, ModelRole.REFERENCE)) {
                List<String> models = r.models(anchor);
                if (!models.isEmpty() && anchors.add(anchor)) {
                    addPoint(t, models.get(0), r, models.get(0), metric);
                }
            }
            List<String> unlearned = r.models(ModelRole.UNLEARNED);
            if (!unlearned.isEmpty()) {
                addPoint(t, name, r, unlearned.get(0), metric);
            }
        });
        return t;
    }

    private static void addPoint(Table t, String label, RunResult r, String model, String metric) {
        t.stringColumn("label").append(label);
        t.doubleColumn("retain").append(r.value(model, Split.RETAIN, metric));
        t.doubleColumn("forget").append(r.value(model, Split.FORGET, metric));
    }

    /** Scatter of {@link #methodTradeoff}: forget against retain {@code metric}, one colour per method. */
    public static Figure methodTradeoffPlot(Map<String, RunResult> runs, String metric) {
        return ScatterPlot.create("forget vs retain " + metric + " by method", methodTradeoff(runs, metric), "retain",
                "forget", "label");
    }

    /**
     * {@code metric} of the {@code unlearned} model on every split against the number of unlearning steps, from
     * runs of one recipe that differ only in {@link Unlearning#steps()}: columns {@code steps, split, value},
     * sorted by steps.
     *
     * @throws IllegalArgumentException when a run has no unlearning stage
     */
    public static Table metricOverSteps(Collection<RunResult> runs, String metric) {
        Table t = Table.create(metric + " over unlearning steps", IntColumn.create("steps"),
                StringColumn.create("split"), DoubleColumn.create("value"));
        List<RunResult> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingLong(Plots::unlearningSteps));
        for (RunResult r : sorted) {
            int steps = (int) unlearningSteps(r);
            List<String> unlearned = r.models(ModelRole.UNLEARNED).stream().limit(1).toList();
            for (RunResult.Row row : r.rows()) {
                if (row.isFinal() && unlearned.contains(row.model()) && row.metric().equals(metric)
                        && isSplit(row.split())) {
                    t.intColumn("steps").append(steps);
                    t.stringColumn("split").append(row.split());
                    t.doubleColumn("value").append(row.value());
                }
            }
        }
        return t;
    }

    /** Lines of {@link #metricOverSteps}: one per split. */
    public static Figure metricCurves(Collection<RunResult> runs, String metric) {
        return LinePlot.create(metric + " of the unlearned model over unlearning steps", metricOverSteps(runs, metric),
                "steps", "value", "split");
    }

    private static long unlearningSteps(RunResult r) {
        for (dev.lethe.spec.Stage s : r.recipe().stages()) {
            if (s instanceof Unlearning u) {
                return u.steps();
            }
        }
        throw new IllegalArgumentException("run '" + r.recipe().name() + "' has no unlearning stage");
    }

    private static boolean isSplit(String id) {
        for (Split s : Split.values()) {
            if (s.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What each attack changed in {@code metric}: one row per attack, one column per split with
     * {@code after − before} (see {@link RunTables#attackDeltas}). Empty without attacks.
     */
    public static Table attackDeltas(RunResult result, String metric) {
        Table deltas = RunTables.attackDeltas(result);
        Set<String> attacks = new LinkedHashSet<>();
        Set<String> splits = new LinkedHashSet<>();
        for (int i = 0; i < deltas.rowCount(); i++) {
            if (deltas.stringColumn("metric").get(i).equals(metric) && isSplit(deltas.stringColumn("split").get(i))) {
                attacks.add(deltas.stringColumn("attack").get(i));
                splits.add(deltas.stringColumn("split").get(i));
            }
        }
        Table t = Table.create(metric + " change per attack", StringColumn.create("attack", List.copyOf(attacks)));
        for (String split : splits) {
            DoubleColumn c = DoubleColumn.create(split);
            for (String attack : attacks) {
                double d = Double.NaN;
                for (int i = 0; i < deltas.rowCount(); i++) {
                    if (deltas.stringColumn("attack").get(i).equals(attack)
                            && deltas.stringColumn("split").get(i).equals(split)
                            && deltas.stringColumn("metric").get(i).equals(metric)) {
                        d = deltas.doubleColumn("delta").get(i);
                    }
                }
                c.append(d);
            }
            t.addColumns(c);
        }
        return t;
    }

    /** Grouped bars of {@link #attackDeltas(RunResult, String)}: per attack, one bar per split. */
    public static Figure attackDeltasPlot(RunResult result, String metric) {
        Table t = attackDeltas(result, metric);
        String[] splits = t.columnNames().stream().skip(1).toArray(String[]::new);
        return VerticalBarPlot.create("change in " + metric + " by attack (attacked − unlearned)", t, "attack",
                Layout.BarMode.GROUP, splits);
    }

    /**
     * Membership-inference ROC curves: for every model with per-example {@code score}s (e.g. {@code mia_min_k})
     * on forget and holdout, the ROC curve of the negated score (lower = more familiar) with forget as members
     * and holdout as non-members — the curve whose area is the run's {@code mia_auc_*}. Columns
     * {@code model, fpr, tpr}, plus the chance diagonal as the model {@code chance}.
     */
    public static Table rocCurves(RunResult result, String score) {
        Table t = Table.create("ROC " + score, StringColumn.create("model"), DoubleColumn.create("fpr"),
                DoubleColumn.create("tpr"));
        for (String model : new LinkedHashSet<>(result.table().stringColumn("model").asList())) {
            double[] members;
            double[] others;
            try {
                members = result.perExample(model, Split.FORGET, score);
                others = result.perExample(model, Split.HOLDOUT, score);
            } catch (IllegalArgumentException missing) {
                continue;
            }
            if (members.length == 0 || others.length == 0) {
                continue;
            }
            RocCurve c = CrossModelMetrics.membershipCurve(members, others);
            for (int i = 0; i < c.fpr().length; i++) {
                t.stringColumn("model").append(model);
                t.doubleColumn("fpr").append(c.fpr()[i]);
                t.doubleColumn("tpr").append(c.tpr()[i]);
            }
        }
        for (double p : new double[] {0, 1}) {
            t.stringColumn("model").append("chance");
            t.doubleColumn("fpr").append(p);
            t.doubleColumn("tpr").append(p);
        }
        return t;
    }

    /** Lines of {@link #rocCurves}: true- against false-positive rate, one line per model. */
    public static Figure rocPlot(RunResult result, String score) {
        return LinePlot.create("membership inference ROC (" + score + ", forget vs holdout)", rocCurves(result, score),
                "fpr", "tpr", "model");
    }
}
