package dev.lethe.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.data.Split;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.Metric;
import dev.lethe.eval.stats.RocCurve;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.LinePlot;
import tech.tablesaw.plotly.api.VerticalBarPlot;
import tech.tablesaw.plotly.components.Axis;
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

    /**
     * Loss against step, one panel per stage stacked top to bottom in the order the stages ran, each with its own
     * x-axis from its first to its last step (a 40-step unlearning curve is not squeezed against a 1000-step
     * learning curve); hovering shows the stage, the model it trains and the step's loss.
     */
    public static PlotlyFigure lossCurves(RunResult result) {
        Table t = losses(result);
        List<Series> series = new ArrayList<>();
        for (String stage : new LinkedHashSet<>(t.stringColumn("stage").asList())) {
            Table s = t.where(t.stringColumn("stage").isEqualTo(stage));
            @Nullable String model = trainedModel(result, stage);
            series.add(new Series(stage, stage, "stage " + stage + (model == null ? "" : "<br>model " + model),
                    s.intColumn("step").asList(), s.doubleColumn("loss").asList()));
        }
        return panels(result.recipe().name() + ": loss per step, one panel per stage", series, "loss", null, "step of ");
    }

    /**
     * One line of a panel chart.
     *
     * @param stage the stage whose panel it is drawn in
     * @param name its legend entry
     * @param hover what hovering shows before the step and value (HTML line breaks)
     * @param steps the x values
     * @param values the y values
     */
    private record Series(String stage, String name, String hover, List<Integer> steps, List<Double> values) {}

    /** Plotly's default colours, in its order: a line repeated across panels takes one of them everywhere. */
    private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    /**
     * The {@code series} as lines, one panel per stage (in the order first seen) stacked top to bottom, each with
     * its own x-axis spanning that stage's steps and titled {@code xTitle} and the stage, the y-axis titled
     * {@code yTitle} and fixed to {@code metric}'s range when it is bounded (a continual-evaluation curve of exact
     * match runs on [0, 1]).
     */
    private static PlotlyFigure panels(String title, List<Series> series, String yTitle, @Nullable Metric metric,
            String xTitle) {
        List<String> stages = List.copyOf(new LinkedHashSet<>(series.stream().map(Series::stage).toList()));
        // a line drawn in several panels (one run per panel of a split) keeps one colour and one legend entry
        Map<String, Set<String>> panelsOf = new LinkedHashMap<>();
        series.forEach(line -> panelsOf.computeIfAbsent(line.name(), k -> new LinkedHashSet<>()).add(line.stage()));
        List<String> repeated = panelsOf.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey)
                .toList();
        Set<String> shown = new java.util.HashSet<>();
        ArrayNode data = PlotlyFigure.array();
        ObjectNode layout = PlotlyFigure.object();
        layout.put("title", title);
        layout.put("height", Math.max(320, 240 * stages.size()));
        layout.put("showlegend", series.size() > stages.size());
        ObjectNode grid = layout.putObject("grid");
        grid.put("rows", Math.max(1, stages.size()));
        grid.put("columns", 1);
        grid.put("pattern", "independent");
        grid.put("roworder", "top to bottom");
        for (int i = 0; i < stages.size(); i++) {
            String stage = stages.get(i);
            String suffix = i == 0 ? "" : Integer.toString(i + 1);
            int first = Integer.MAX_VALUE;
            int last = Integer.MIN_VALUE;
            for (Series line : series) {
                if (!line.stage().equals(stage)) {
                    continue;
                }
                ObjectNode trace = data.addObject();
                trace.put("type", "scatter");
                trace.put("mode", "lines");
                trace.put("name", line.name());
                int colour = repeated.indexOf(line.name());
                if (colour >= 0) {
                    trace.put("legendgroup", line.name());
                    trace.put("showlegend", shown.add(line.name()));
                    trace.putObject("line").put("color", PALETTE[colour % PALETTE.length]);
                }
                trace.put("xaxis", "x" + suffix);
                trace.put("yaxis", "y" + suffix);
                ArrayNode x = trace.putArray("x");
                ArrayNode y = trace.putArray("y");
                for (int k = 0; k < line.steps().size(); k++) {
                    x.add(line.steps().get(k));
                    y.add(line.values().get(k));
                    first = Math.min(first, line.steps().get(k));
                    last = Math.max(last, line.steps().get(k));
                }
                trace.put("hovertemplate", line.hover() + "<br>step %{x}<br>" + yTitle + " %{y:.4f}<extra></extra>");
            }
            ObjectNode xaxis = layout.putObject("xaxis" + suffix);
            xaxis.putObject("title").put("text", xTitle + stage);
            xaxis.putArray("range").add(first).add(last);
            ObjectNode yaxis = layout.putObject("yaxis" + suffix);
            yaxis.putObject("title").put("text", yTitle);
            if (metric != null && metric.bounded()) {
                double pad = 0.05 * (metric.upper() - metric.lower());
                yaxis.putArray("range").add(metric.lower() - pad).add(metric.upper() + pad);
            }
        }
        return new PlotlyFigure(data, layout);
    }

    /**
     * The model the training stage called {@code stage} trains ({@code unlearn.request2} is part of
     * {@code unlearn}), or null when the recipe names none (an attack's relearning).
     */
    private static @Nullable String trainedModel(RunResult result, String stage) {
        int dot = stage.indexOf('.');
        String base = dot < 0 ? stage : stage.substring(0, dot);
        for (NamedStage s : result.recipe().named()) {
            if (s.name().equals(base)) {
                return s.model();
            }
        }
        return null;
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

    /**
     * {@code metric} against step during training ({@link #curves}): one panel per training stage with its own
     * x-range, one line per model and split, the y-axis on the metric's range when it is bounded; hovering shows
     * the model, stage, split and value.
     */
    public static PlotlyFigure curvePlot(RunResult result, String metric) {
        Map<List<String>, List<RunResult.Row>> lines = new LinkedHashMap<>();
        for (RunResult.Row r : result.rows()) {
            if (!r.isFinal() && r.metric().equals(metric)) {
                lines.computeIfAbsent(List.of(r.model(), r.stage(), r.split()), k -> new ArrayList<>()).add(r);
            }
        }
        List<Series> series = new ArrayList<>();
        lines.forEach((key, rows) -> {
            List<RunResult.Row> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparingLong(RunResult.Row::step));
            series.add(new Series(key.get(1), key.get(0) + " " + key.get(2), "model " + key.get(0) + "<br>stage "
                    + key.get(1) + "<br>split " + key.get(2), sorted.stream().map(r -> (int) r.step()).toList(),
                    sorted.stream().map(RunResult.Row::value).toList()));
        });
        return panels(result.recipe().name() + ": " + metric + " during training", series, metric,
                result.metrics().get(metric), "step of ");
    }

    /**
     * {@code metric} during the training stage called {@code stage} in several runs, e.g. the same unlearning from
     * models trained along different paths ({@link Divergence}): one panel per split, one line per run (its name in
     * {@code runs}), from each run's continual evaluation; the y-axis on the metric's range when it is bounded.
     *
     * @throws IllegalArgumentException when no run has a continual point of {@code metric} during {@code stage}
     */
    public static PlotlyFigure trajectoryPlot(Map<String, RunResult> runs, String stage, String metric) {
        Map<List<String>, List<RunResult.Row>> lines = new LinkedHashMap<>();
        runs.forEach((name, r) -> {
            for (RunResult.Row row : r.rows()) {
                if (!row.isFinal() && row.stage().equals(stage) && row.metric().equals(metric)) {
                    lines.computeIfAbsent(List.of(row.split(), name), k -> new ArrayList<>()).add(row);
                }
            }
        });
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no run of " + runs.keySet() + " has continual points of " + metric
                    + " during " + stage);
        }
        List<Series> series = new ArrayList<>();
        lines.forEach((key, rows) -> {
            List<RunResult.Row> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparingLong(RunResult.Row::step));
            series.add(new Series(key.get(0), key.get(1), key.get(1) + "<br>split " + key.get(0),
                    sorted.stream().map(r -> (int) r.step()).toList(), sorted.stream().map(RunResult.Row::value).toList()));
        });
        return panels(metric + " during " + stage + ", one line per run", series, metric,
                metricOf(runs, metric), "step of " + stage + " on ");
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
            for (String model : finalModels(r)) {
                t.stringColumn("run").append(name);
                t.stringColumn("model").append(model);
                t.doubleColumn("retain").append(r.value(model, Split.RETAIN, metric));
                t.doubleColumn("forget").append(r.value(model, Split.FORGET, metric));
            }
        });
        return t;
    }

    /**
     * Scatter of {@link #tradeoff}: forget against retain {@code metric}, one colour per model, each point labelled
     * with its model (and run, for several runs); see {@link #scatter} for axes, overlaps and hover.
     */
    public static PlotlyFigure tradeoffPlot(Map<String, RunResult> runs, String metric) {
        List<Point> points = new ArrayList<>();
        runs.forEach((name, r) -> {
            for (String model : finalModels(r)) {
                points.add(new Point(model, runs.size() == 1 ? model : name + ": " + model, name, model,
                        finalStage(r, model), r.value(model, Split.RETAIN, metric), r.value(model, Split.FORGET, metric)));
            }
        });
        return scatter("forget vs retain " + metric, points, metricOf(runs, metric));
    }

    /** The models with final values, in the order of their first final row. */
    static List<String> finalModels(RunResult r) {
        Set<String> out = new LinkedHashSet<>();
        for (RunResult.Row row : r.rows()) {
            if (row.isFinal()) {
                out.add(row.model());
            }
        }
        return List.copyOf(out);
    }

    /** The stage of {@code model}'s final values ({@value RunResult#EVALUATE} or {@value RunResult#ATTACK}). */
    private static String finalStage(RunResult r, String model) {
        for (RunResult.Row row : r.rows()) {
            if (row.isFinal() && row.model().equals(model)) {
                return row.stage();
            }
        }
        return RunResult.EVALUATE;
    }

    /** The {@link Metric} called {@code metric} in the first run that declares it; unbounded when none does. */
    private static Metric metricOf(Map<String, RunResult> runs, String metric) {
        for (RunResult r : runs.values()) {
            if (r.metrics().containsKey(metric)) {
                return r.metric(metric);
            }
        }
        return new Metric(metric, Metric.Direction.HIGHER_KNOWS_MORE, Metric.Scope.PER_SPLIT, metric);
    }

    /**
     * One point of a trade-off scatter.
     *
     * @param group its colour and legend entry
     * @param label the text beside the marker
     * @param run the run it comes from
     * @param model the model
     * @param stage the stage of its final values
     * @param retain its value on retain
     * @param forget its value on forget
     */
    private record Point(String group, String label, String run, String model, String stage, double retain,
            double forget) {}

    /** Marker diameter in pixels: readable in a paper's figure. */
    private static final int MARKER_SIZE = 14;
    /** Points closer than this share of an axis's span overlap. */
    private static final double OVERLAP = 0.01;
    /** How far apart (as a share of an axis's span) overlapping points are drawn. */
    private static final double SPREAD = 0.025;

    /**
     * A forget-against-retain scatter of {@code points}: markers of {@value #MARKER_SIZE} px with their label beside
     * them, one trace per group; both axes span the metric's range when it is bounded ({@link Metric#bounded},
     * [0, 1] for a share, with 5 % room for markers on the edge, widened to any point moved past it), else
     * Plotly's own range. Points that overlap
     * (closer than {@value #OVERLAP} of the span on both axes, e.g. an unlearned model and its int4-quantized copy)
     * are drawn on a small circle around their common place, each label on its point's outer side, so each stays
     * visible; hovering shows the run, model, stage and the true values.
     */
    private static PlotlyFigure scatter(String title, List<Point> points, Metric metric) {
        double lo = 0;
        double hi = 1;
        if (metric.bounded()) {
            lo = metric.lower();
            hi = metric.upper();
        } else if (!points.isEmpty()) {
            lo = Double.POSITIVE_INFINITY;
            hi = Double.NEGATIVE_INFINITY;
            for (Point p : points) {
                lo = Math.min(lo, Math.min(p.retain(), p.forget()));
                hi = Math.max(hi, Math.max(p.retain(), p.forget()));
            }
            hi = hi > lo ? hi : lo + 1;
        }
        double span = hi - lo;
        double[][] shown = spread(points, span);
        ArrayNode data = PlotlyFigure.array();
        Map<String, ObjectNode> traces = new LinkedHashMap<>();
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            ObjectNode trace = traces.computeIfAbsent(p.group(), g -> {
                ObjectNode t = data.addObject();
                t.put("type", "scatter");
                t.put("mode", "markers+text");
                t.put("cliponaxis", false);
                t.put("name", g);
                t.putObject("marker").put("size", MARKER_SIZE).putObject("line").put("width", 1).put("color", "white");
                for (String key : List.of("x", "y", "text", "textposition", "customdata")) {
                    t.putArray(key);
                }
                t.put("hovertemplate", "run %{customdata[0]}<br>model %{customdata[1]}<br>stage %{customdata[2]}"
                        + "<br>retain " + metric.name() + " %{customdata[3]:.4f}<br>forget " + metric.name()
                        + " %{customdata[4]:.4f}<extra></extra>");
                return t;
            });
            ((ArrayNode) trace.get("x")).add(shown[i][0]);
            ((ArrayNode) trace.get("y")).add(shown[i][1]);
            ((ArrayNode) trace.get("text")).add(p.label());
            ((ArrayNode) trace.get("textposition")).add(textPosition(shown[i][2]));
            ((ArrayNode) trace.get("customdata")).addArray().add(p.run()).add(p.model()).add(p.stage())
                    .add(p.retain()).add(p.forget());
        }
        ObjectNode layout = PlotlyFigure.object();
        layout.put("title", title);
        layout.put("width", 800);
        layout.put("height", 640);
        layout.putObject("legend").putObject("title").put("text", "model");
        layout.putObject("margin").put("l", 120).put("r", 40);
        for (String axis : List.of("xaxis", "yaxis")) {
            ObjectNode a = layout.putObject(axis);
            a.putObject("title").put("text", (axis.equals("xaxis") ? "retain " : "forget ") + metric.name());
            if (metric.bounded()) {
                double from = lo;
                double to = hi;
                for (double[] p : shown) {
                    from = Math.min(from, p[axis.equals("xaxis") ? 0 : 1]);
                    to = Math.max(to, p[axis.equals("xaxis") ? 0 : 1]);
                }
                a.putArray("range").add(from - 0.05 * span).add(to + 0.05 * span);
            }
        }
        return new PlotlyFigure(data, layout);
    }

    /**
     * Where each point is drawn, {@code {x, y, angle}}: at its values (angle NaN), unless it overlaps other points,
     * in which case the group of n overlapping points is spread evenly on a circle (radius {@value #SPREAD} of the
     * span, times n/2 from three points on) around the first one's place, the angle saying where on it.
     */
    private static double[][] spread(List<Point> points, double span) {
        double[][] out = new double[points.size()][];
        List<List<Integer>> groups = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            List<Integer> home = null;
            for (List<Integer> g : groups) {
                Point q = points.get(g.get(0));
                if (Math.abs(p.retain() - q.retain()) < OVERLAP * span
                        && Math.abs(p.forget() - q.forget()) < OVERLAP * span) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(i);
        }
        for (List<Integer> g : groups) {
            Point centre = points.get(g.get(0));
            double r = g.size() == 1 ? 0 : SPREAD * span * Math.max(1, g.size() / 2.0);
            for (int k = 0; k < g.size(); k++) {
                double angle = 2 * Math.PI * k / g.size();
                out[g.get(k)] = new double[] {centre.retain() + r * Math.cos(angle),
                    centre.forget() + r * Math.sin(angle), g.size() == 1 ? Double.NaN : angle};
            }
        }
        return out;
    }

    /**
     * Where a point's label goes: above a point that overlaps none, else on the side of the circle the point was
     * moved to (right, left, above or below), away from the others.
     */
    private static String textPosition(double angle) {
        if (Double.isNaN(angle)) {
            return "top center";
        }
        double c = Math.cos(angle);
        return c > 0.3 ? "middle right" : c < -0.3 ? "middle left" : Math.sin(angle) > 0 ? "top center" : "bottom center";
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

    /**
     * Scatter of {@link #methodTradeoff}: forget against retain {@code metric}, one colour and label per method and
     * anchor; axes, overlaps and hover as {@link #tradeoffPlot}.
     */
    public static PlotlyFigure methodTradeoffPlot(Map<String, RunResult> runs, String metric) {
        Table t = methodTradeoff(runs, metric);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < t.rowCount(); i++) {
            String label = t.stringColumn("label").get(i);
            points.add(new Point(label, label, runs.containsKey(label) ? label : "", label, RunResult.EVALUATE,
                    t.doubleColumn("retain").getDouble(i), t.doubleColumn("forget").getDouble(i)));
        }
        return scatter("forget vs retain " + metric + " by method", points, metricOf(runs, metric));
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
                        d = deltas.doubleColumn("delta").getDouble(i); // NaN where the target lacks the metric
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

    /** Lines of {@link #rocCurves}: true- against false-positive rate, one line per model, both axes [0, 1]. */
    public static Figure rocPlot(RunResult result, String score) {
        String title = "membership inference ROC (" + score + ", forget vs holdout)";
        Figure f = LinePlot.create(title, rocCurves(result, score), "fpr", "tpr", "model");
        f.setLayout(Layout.builder(title).height(600).width(640)
                .xAxis(Axis.builder().title("false-positive rate").range(0, 1).build())
                .yAxis(Axis.builder().title("true-positive rate").range(0, 1).build()).build());
        return f;
    }
}
