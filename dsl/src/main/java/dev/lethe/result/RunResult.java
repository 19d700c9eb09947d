package dev.lethe.result;

import dev.lethe.data.Split;
import dev.lethe.eval.Metric;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.Recipe;
import dev.lethe.util.Names;
import dev.lethe.util.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * What a run produced: the metrics of every model on every split as a tidy Tablesaw table, the
 * {@link Metric} behind each metric name (its direction and scope), and the event log (stage timings,
 * per-step losses, stop reasons). The tables shaped for reading (summary, headline, attack deltas,
 * stability) are views of it in {@code dev.lethe.report}.
 *
 * <p>Every row says which stage measured it and after how many of that stage's steps. The <em>final</em>
 * values, the ones {@link #value} reads, are those of the stages {@value #EVALUATE} (the learned, reference
 * and unlearned models) and {@value #ATTACK} (the attacked models), with step 0. The other rows are curves:
 * continual evaluation during a training stage ({@code unlearn}, {@code unlearn.request<i>},
 * {@code attack.<name>}), one point every few steps, read with {@link #curve}.
 */
public final class RunResult {
    private final Recipe recipe;
    private final List<Row> rows;
    private final List<RunEvent> events;
    private final List<Scores> scores;
    private final Map<String, Metric> metrics;
    private final Map<String, ModelRole> models;

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

    /** A result of {@code recipe} without per-example values; {@code metrics} and {@code models} as below. */
    public RunResult(Recipe recipe, List<Row> rows, List<RunEvent> events, Map<String, Metric> metrics,
            Map<String, ModelRole> models) {
        this(recipe, rows, events, List.of(), metrics, models);
    }

    /**
     * A result of {@code recipe} with the per-example values of the metrics that keep them.
     *
     * @param metrics the metric of each name the rows use, by name (a run passes those its suites declare, the
     *     cross-model ones and {@code kl_to_reference})
     * @param models the role of each model the rows name, in the order the run made them
     */
    public RunResult(Recipe recipe, List<Row> rows, List<RunEvent> events, List<Scores> scores,
            Map<String, Metric> metrics, Map<String, ModelRole> models) {
        this.recipe = recipe;
        this.rows = List.copyOf(rows);
        this.events = List.copyOf(events);
        this.scores = List.copyOf(scores);
        this.metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** Every model of the run with its role, in the order made (attacked copies when they were measured). */
    public Map<String, ModelRole> models() {
        return models;
    }

    /**
     * The role of the model called {@code model}.
     *
     * @throws IllegalArgumentException when the run made no such model
     */
    public ModelRole role(String model) {
        ModelRole role = models.get(model);
        if (role == null) {
            throw new IllegalArgumentException("no model called '" + model + "'; the run made " + models.keySet());
        }
        return role;
    }

    /** The models of role {@code role}, in the order made (e.g. {@code unlearned}, {@code unlearned-2}). */
    public List<String> models(ModelRole role) {
        return models.entrySet().stream().filter(e -> e.getValue() == role).map(Map.Entry::getKey).toList();
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

    /**
     * The metric called {@code name}: its direction and scope.
     *
     * @throws IllegalArgumentException when the run declared no metric of that name
     */
    public Metric metric(String name) {
        @Nullable Metric m = metrics.get(name);
        if (m == null) {
            throw new IllegalArgumentException("the run declared no metric " + name + "; declared: "
                    + metrics.keySet());
        }
        return m;
    }

    /** The declared metrics by name, in the order they were declared. */
    public Map<String, Metric> metrics() {
        return metrics;
    }

    /** Every row, final values and curve points, in the order they were measured. */
    public List<Row> rows() {
        return rows;
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
     * span of a cross-split metric ({@code forget+holdout}, {@code retain+real_authors+world}).
     *
     * @throws IllegalArgumentException when the run has no such value: the message names the first of model,
     *     split and metric that has no final value, with a did-you-mean and the names that do exist
     */
    public double value(String model, String split, String metric) {
        Set<String> models = new LinkedHashSet<>();
        Set<String> splits = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (Row r : rows) {
            if (!r.isFinal()) {
                continue;
            }
            models.add(r.model());
            if (r.model().equals(model)) {
                splits.add(r.split());
                if (r.split().equals(split)) {
                    if (r.metric().equals(metric)) {
                        return r.value();
                    }
                    names.add(r.metric());
                }
            }
        }
        String m = Printable.escape(model);
        throw new IllegalArgumentException(!models.contains(model)
                ? "no model '" + m + "' with final values" + suggest(model, models, "Models with final values")
                : !splits.contains(split)
                ? "no split '" + Printable.escape(split) + "' with final values of " + m
                        + suggest(split, splits, "Its splits")
                : "no metric '" + Printable.escape(metric) + "' for " + m + " on " + split
                        + suggest(metric, names, "Final values of " + m + " on " + split));
    }

    /** {@code "; did you mean 'x'? <what>: [known]"}, or {@code ". <what>: [known]"} when nothing is close. */
    private static String suggest(String name, Set<String> known, String what) {
        String close = Names.didYouMean(name, known);
        return (close.isEmpty() ? "." : close) + " " + what + ": " + Printable.escape(known.toString());
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

    /** The recipe's name and how many rows and events the result holds; its tables are in {@code dev.lethe.report}. */
    @Override
    public String toString() {
        return "RunResult " + recipe.name() + ": " + rows.size() + " rows, " + events.size() + " events";
    }
}
