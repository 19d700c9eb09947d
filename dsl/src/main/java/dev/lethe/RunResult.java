package dev.lethe;

import dev.lethe.attack.Attack;
import dev.lethe.data.Split;
import dev.lethe.run.RunEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * What a run produced: the metrics of every model on every split as a tidy Tablesaw table, and the event
 * log (stage timings, per-step losses, stop reasons).
 */
public final class RunResult {
    private final Recipe recipe;
    private final List<Row> rows;
    private final List<RunEvent> events;
    private final List<Scores> scores;

    /**
     * One measured value.
     *
     * @param model {@code learned}, {@code reference}, {@code unlearned} or an attacked model
     *     {@code unlearned+<attack>}
     * @param split the split's id
     * @param metric the metric's name
     * @param value the value
     */
    public record Row(String model, String split, String metric, double value) {}

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

    /** The metrics in tidy form: columns {@code model, split, metric, value}, one row per number. */
    public Table table() {
        Table t = Table.create(recipe.name(), StringColumn.create("model"), StringColumn.create("split"),
                StringColumn.create("metric"), DoubleColumn.create("value"));
        for (Row r : rows) {
            t.stringColumn("model").append(r.model());
            t.stringColumn("split").append(r.split());
            t.stringColumn("metric").append(r.metric());
            t.doubleColumn("value").append(r.value());
        }
        return t;
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
            if (keep.test(r)) {
                metrics.add(r.metric());
                keys.add(List.of(r.model(), r.split()));
            }
        }
        Table t = Table.create(title, StringColumn.create("model"), StringColumn.create("split"));
        for (String m : metrics) {
            DoubleColumn c = DoubleColumn.create(m);
            c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
            t.addColumns(c);
        }
        for (List<String> k : keys) {
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
        StringBuilder sb = new StringBuilder("model,split,metric,value\n");
        for (Row r : rows) {
            sb.append(r.model()).append(',').append(r.split()).append(',').append(r.metric()).append(',')
                    .append(r.value()).append('\n');
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
            if (r.model().equals(model) && r.split().equals(split) && r.metric().equals(metric)) {
                return r.value();
            }
        }
        throw new IllegalArgumentException("no " + metric + " for " + model + " on " + split);
    }

    private double find(String model, String split, String metric) {
        for (Row r : rows) {
            if (r.model().equals(model) && r.split().equals(split) && r.metric().equals(metric)) {
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
        for (Attack a : recipe.attacks()) {
            String name = a.modelName("unlearned");
            for (Row r : rows) {
                if (r.model().equals(name)) {
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
