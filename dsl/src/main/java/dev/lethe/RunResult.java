package dev.lethe;

import dev.lethe.attack.Attack;
import dev.lethe.data.Split;
import dev.lethe.run.RunEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * What a run produced: the metrics of every model on every split as a tidy Tablesaw table, and the event
 * log (stage timings, per-step losses, stop reasons).
 *
 * <p>Every row says which stage measured it and after how many of that stage's steps. The <em>final</em>
 * values, the ones {@link #value}, {@link #summary()}, {@link #headline()} and {@link #attackDeltas()}
 * read, are those of the stages {@value #EVALUATE} (the learned, reference and unlearned models) and
 * {@value #ATTACK} (the attacked models), with step 0. The other rows are curves: continual evaluation
 * during a training stage ({@code unlearn}, {@code unlearn.request<i>}, {@code attack.<name>}), one point
 * every few steps, read with {@link #curve} and summarised by {@link #stability()}.
 */
public final class RunResult {
    private final Recipe recipe;
    private final List<Row> rows;
    private final List<RunEvent> events;
    private final List<Scores> scores;

    /** The stage of the final values of the learned, reference and unlearned models. */
    public static final String EVALUATE = "evaluate";
    /** The stage of the final values of the attacked models. */
    public static final String ATTACK = "attack";

    /**
     * One measured value.
     *
     * @param model {@code learned}, {@code reference}, {@code unlearned} or an attacked model
     *     {@code unlearned+<attack>}
     * @param stage the stage that measured it: {@value #EVALUATE} or {@value #ATTACK} for final values,
     *     otherwise the training stage a curve point belongs to ({@code unlearn}, {@code unlearn.request2},
     *     {@code attack.relearn})
     * @param split the split's id
     * @param metric the metric's name
     * @param value the value
     * @param step the number of the stage's optimisation steps done when it was measured (0 for final values)
     */
    public record Row(String model, String stage, String split, String metric, double value, long step) {

        /** A final value of {@code model} ({@value #EVALUATE} stage, step 0). */
        public static Row of(String model, String split, String metric, double value) {
            return new Row(model, EVALUATE, split, metric, value, 0);
        }

        /** Whether this is a final value (stage {@value #EVALUATE} or {@value #ATTACK}) rather than a curve point. */
        public boolean isFinal() {
            return stage.equals(EVALUATE) || stage.equals(ATTACK);
        }
    }

    /**
     * The per-example values behind one summarised metric (e.g. each example's membership score), kept for
     * plots such as ROC curves.
     *
     * @param model the model
     * @param split the split's id
     * @param metric the metric's name
     * @param values one value per example, in the split's order
     */
    public record Scores(String model, String split, String metric, double[] values) {}

    /** A result of {@code recipe} without per-example values. */
    public RunResult(Recipe recipe, List<Row> rows, List<RunEvent> events) {
        this(recipe, rows, events, List.of());
    }

    /** A result of {@code recipe} with the per-example values of the metrics that keep them. */
    public RunResult(Recipe recipe, List<Row> rows, List<RunEvent> events, List<Scores> scores) {
        this.recipe = recipe;
        this.rows = List.copyOf(rows);
        this.events = List.copyOf(events);
        this.scores = List.copyOf(scores);
    }

    /** The recipe that was run. */
    public Recipe recipe() {
        return recipe;
    }

    /**
     * The metrics in tidy form: columns {@code model, stage, split, metric, value, step}, one row per number,
     * curve points included.
     */
    public Table table() {
        Table t = Table.create(recipe.name(), StringColumn.create("model"), StringColumn.create("stage"),
                StringColumn.create("split"), StringColumn.create("metric"), DoubleColumn.create("value"),
                LongColumn.create("step"));
        for (Row r : rows) {
            t.stringColumn("model").append(r.model());
            t.stringColumn("stage").append(r.stage());
            t.stringColumn("split").append(r.split());
            t.stringColumn("metric").append(r.metric());
            t.doubleColumn("value").append(r.value());
            t.longColumn("step").append(r.step());
        }
        return t;
    }

    /** Every row, final values and curve points, in the order they were measured. */
    public List<Row> rows() {
        return rows;
    }

    /**
     * The per-split metrics, one row per model and split, one column per metric: the table to read (the
     * per-example membership scores and the cross-split metrics are in {@link #headline()} and
     * {@link #table()}). Printing shows four decimals; the cells hold the full values.
     */
    public Table summary() {
        Set<String> splits = new LinkedHashSet<>();
        for (Split s : Split.values()) {
            splits.add(s.id());
        }
        return pivot(recipe.name(), r -> splits.contains(r.split()) && !r.metric().startsWith("mia_")
                && !r.metric().equals("forget_quality"));
    }

    /**
     * The metrics that span models or splits (forget quality, model utility, membership-inference AUCs,
     * PrivLeak), one row per model and span.
     */
    public Table headline() {
        Set<String> splits = new LinkedHashSet<>();
        for (Split s : Split.values()) {
            splits.add(s.id());
        }
        return pivot(recipe.name() + " (across splits)", r -> !splits.contains(r.split()) || r.metric().equals(
                "forget_quality"));
    }

    private Table pivot(String title, java.util.function.Predicate<Row> keep) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<List<String>> keys = new LinkedHashSet<>();
        for (Row r : rows) {
            if (r.isFinal() && keep.test(r)) {
                metrics.add(r.metric());
                keys.add(List.of(r.model(), r.split()));
            }
        }
        List<List<String>> ordered = new ArrayList<>(keys);
        // the trained models first, in the order they were made, then the attacked ones in the recipe's order
        List<String> trained = List.of("learned", "reference", "unlearned");
        ordered.sort(java.util.Comparator.comparingInt(k -> {
            int i = trained.indexOf(k.get(0));
            return i < 0 ? trained.size() : i;
        }));
        Table t = Table.create(title, StringColumn.create("model"), StringColumn.create("split"));
        for (String m : metrics) {
            DoubleColumn c = DoubleColumn.create(m);
            c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
            t.addColumns(c);
        }
        for (List<String> k : ordered) {
            t.stringColumn("model").append(k.get(0));
            t.stringColumn("split").append(k.get(1));
            for (String m : metrics) {
                t.doubleColumn(m).append(find(k.get(0), k.get(1), m));
            }
        }
        return t;
    }

    /**
     * The tidy table as CSV with a header line; values are printed with {@link Double#toString}, which
     * round-trips exactly, so two runs can be compared byte for byte.
     */
    public String csv() {
        StringBuilder sb = new StringBuilder("model,stage,split,metric,value,step\n");
        for (Row r : rows) {
            sb.append(r.model()).append(',').append(r.stage()).append(',').append(r.split()).append(',')
                    .append(r.metric()).append(',').append(r.value()).append(',').append(r.step()).append('\n');
        }
        return sb.toString();
    }

    /** The value of {@code metric} for {@code model} on {@code split}. */
    public double value(String model, Split split, String metric) {
        return value(model, split.id(), metric);
    }

    /**
     * The value of {@code metric} for {@code model} on {@code split}, where {@code split} may also name the
     * span of a cross-split metric ({@code forget+holdout}, {@code retain+world}).
     *
     * @throws IllegalArgumentException when the run has no such value
     */
    public double value(String model, String split, String metric) {
        for (Row r : rows) {
            if (r.isFinal() && r.model().equals(model) && r.split().equals(split) && r.metric().equals(metric)) {
                return r.value();
            }
        }
        throw new IllegalArgumentException("no " + metric + " for " + model + " on " + split);
    }

    private double find(String model, String split, String metric) {
        for (Row r : rows) {
            if (r.isFinal() && r.model().equals(model) && r.split().equals(split) && r.metric().equals(metric)) {
                return r.value();
            }
        }
        return Double.NaN;
    }

    /**
     * How each attack moved each metric of the unlearned model: columns {@code attack, split, metric, before,
     * after, delta}, where {@code before} is the {@code unlearned} model's value, {@code after} the value of
     * {@code unlearned+<attack>} and {@code delta = after − before}; one row per value the attacked model
     * has (cross-split metrics included), in the order of the recipe's attacks. Empty without attacks or
     * without an unlearning stage.
     */
    public Table attackDeltas() {
        DoubleColumn before = DoubleColumn.create("before");
        DoubleColumn after = DoubleColumn.create("after");
        DoubleColumn delta = DoubleColumn.create("delta");
        for (DoubleColumn c : List.of(before, after, delta)) {
            c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        }
        Table t = Table.create(recipe.name() + " (attacks on unlearned)", StringColumn.create("attack"),
                StringColumn.create("split"), StringColumn.create("metric"), before, after, delta);
        List<Attack> attacks = new ArrayList<>();
        for (Stage s : recipe.stages()) {
            if (s instanceof Attacking stage) {
                attacks.addAll(stage.attacks());
            }
        }
        for (Attack a : attacks) {
            String name = a.modelName("unlearned");
            for (Row r : rows) {
                if (r.isFinal() && r.model().equals(name)) {
                    double b = find("unlearned", r.split(), r.metric());
                    t.stringColumn("attack").append(a.name());
                    t.stringColumn("split").append(r.split());
                    t.stringColumn("metric").append(r.metric());
                    before.append(b);
                    after.append(r.value());
                    delta.append(r.value() - b);
                }
            }
        }
        return t;
    }

    /**
     * The curve of {@code metric} of {@code model} on {@code split} during {@code stage} (e.g.
     * {@code unlearned}, {@code unlearn}, {@code forget}, {@code exact_match}): one point per continual
     * evaluation, in step order; empty when the stage was not evaluated continually.
     */
    public List<Row> curve(String model, String stage, String split, String metric) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            if (!r.isFinal() && r.model().equals(model) && r.stage().equals(stage) && r.split().equals(split)
                    && r.metric().equals(metric)) {
                out.add(r);
            }
        }
        out.sort(java.util.Comparator.comparingLong(Row::step));
        return out;
    }

    /**
     * The stability of every curve: one row per model, stage, split and metric that was evaluated
     * continually, with columns {@code final} (the last point), {@code min}, {@code max}, {@code worst}
     * and {@code gap}. {@code worst} is the value furthest in the bad direction by the rule of
     * {@link #isWorseWhenHigher}; {@code gap = |worst − final|} is how much worse than its end point the
     * curve was at its worst: the stability gap of De Lange, van de Ven and Tuytelaars 2023, "Continual
     * evaluation for lifelong learning: identifying the stability gap" (ICLR 2023, §3), per metric.
     */
    public Table stability() {
        Map<List<String>, List<Row>> curves = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!r.isFinal()) {
                curves.computeIfAbsent(List.of(r.model(), r.stage(), r.split(), r.metric()), k -> new ArrayList<>())
                        .add(r);
            }
        }
        DoubleColumn last = DoubleColumn.create("final");
        DoubleColumn min = DoubleColumn.create("min");
        DoubleColumn max = DoubleColumn.create("max");
        DoubleColumn worst = DoubleColumn.create("worst");
        DoubleColumn gap = DoubleColumn.create("gap");
        for (DoubleColumn c : List.of(last, min, max, worst, gap)) {
            c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        }
        Table t = Table.create(recipe.name() + " (stability)", StringColumn.create("model"),
                StringColumn.create("stage"), StringColumn.create("split"), StringColumn.create("metric"), last,
                min, max, worst, gap);
        for (Map.Entry<List<String>, List<Row>> e : curves.entrySet()) {
            List<Row> points = new ArrayList<>(e.getValue());
            points.sort(java.util.Comparator.comparingLong(Row::step));
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Row r : points) {
                lo = Math.min(lo, r.value());
                hi = Math.max(hi, r.value());
            }
            double end = points.get(points.size() - 1).value();
            double bad = isWorseWhenHigher(e.getKey().get(2), e.getKey().get(3)) ? hi : lo;
            t.stringColumn("model").append(e.getKey().get(0));
            t.stringColumn("stage").append(e.getKey().get(1));
            t.stringColumn("split").append(e.getKey().get(2));
            t.stringColumn("metric").append(e.getKey().get(3));
            last.append(end);
            min.append(lo);
            max.append(hi);
            worst.append(bad);
            gap.append(Math.abs(bad - end));
        }
        return t;
    }

    /**
     * The direction rule of {@link #stability()}: whether a higher {@code metric} on {@code split} is worse.
     * Knowledge of the forget split is bad and knowledge elsewhere is good; a metric measures knowledge
     * upwards (probability, exact match, accuracy, ROUGE, truth ratio, ...) unless it is a loss
     * ({@code nll}, names ending in {@code _nll} or {@code loss}), which measures it downwards. So on
     * {@code forget} higher is worse for upward metrics, and on every other split higher is worse for
     * losses. A divergence from the reference (names starting with {@code kl}) is worse when higher on
     * every split.
     */
    public static boolean isWorseWhenHigher(String split, String metric) {
        if (metric.startsWith("kl")) {
            return true;
        }
        boolean downward = metric.equals("nll") || metric.endsWith("_nll") || metric.endsWith("loss");
        boolean forget = split.equals(Split.FORGET.id());
        return forget != downward;
    }

    /**
     * The per-example values of {@code metric} for {@code model} on {@code split} (a copy), e.g. the membership
     * scores {@code mia_min_k} of every forget question.
     *
     * @throws IllegalArgumentException when the run kept no such values
     */
    public double[] perExample(String model, Split split, String metric) {
        for (Scores s : scores) {
            if (s.model().equals(model) && s.split().equals(split.id()) && s.metric().equals(metric)) {
                return s.values().clone();
            }
        }
        throw new IllegalArgumentException("no per-example " + metric + " for " + model + " on " + split.id());
    }

    /** The event log in order. */
    public List<RunEvent> events() {
        return events;
    }

    /**
     * One row per stage that ran, in order: {@code stage}, {@code steps_done} (models × splits for
     * {@code evaluate}, attacks for {@code attack}), {@code seconds}, {@code cached} (the model came from the
     * cache or, in a resumed run, from a checkpoint; its seconds are those it took then) and
     * {@code stop_reason} (empty when the stage completed, otherwise why a numeric guard stopped it).
     */
    public Table stages() {
        StringColumn stage = StringColumn.create("stage");
        LongColumn steps = LongColumn.create("steps_done");
        DoubleColumn seconds = DoubleColumn.create("seconds");
        StringColumn cached = StringColumn.create("cached");
        StringColumn stop = StringColumn.create("stop_reason");
        for (RunEvent e : events) {
            if (e instanceof RunEvent.StageFinished f) {
                stage.append(f.stage());
                steps.append(f.stepsDone());
                seconds.append(f.seconds());
                cached.append(f.cached() ? "yes" : "");
                stop.append(f.stopReason());
            }
        }
        seconds.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(1));
        return Table.create(recipe.name() + " stages", stage, steps, seconds, cached, stop);
    }

    /** Reasons stages stopped early, e.g. a NaN loss; empty when every stage completed. */
    public List<String> stopReasons() {
        List<String> out = new ArrayList<>();
        for (RunEvent e : events) {
            if (e instanceof RunEvent.StageFinished f && !f.stopReason().isEmpty()) {
                out.add(f.stage() + ": " + f.stopReason());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return summary().printAll();
    }
}
