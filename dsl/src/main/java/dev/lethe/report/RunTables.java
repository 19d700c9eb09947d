package dev.lethe.report;

import dev.lethe.eval.Metric;
import dev.lethe.result.RunResult.Row;
import dev.lethe.result.RunResult;
import dev.lethe.spec.ModelRole;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The tables to read from a run: its final values per split ({@link #summary}), the metrics that span splits
 * or models ({@link #headline}), what each attack changed ({@link #attackDeltas}) and how far each curve
 * strayed ({@link #stability}). Each is a new Tablesaw table built from {@link RunResult#rows()}; rows are
 * chosen by their metric's {@link Metric.Scope scope} and curves judged by its {@link Metric.Direction
 * direction} ({@link RunResult#metric}). Printing shows four decimals (a nonzero value below 0.0005 in scientific
 * notation, so a forget quality of 9·10⁻¹¹ does not print as 0.0000); the cells hold the full values.
 *
 * <pre>{@code
 * System.out.println(RunTables.summary(result).printAll());
 * }</pre>
 */
public final class RunTables {
    private RunTables() {}

    /**
     * The final values of the {@link Metric.Scope#PER_SPLIT per-split} metrics, one row per model and split,
     * one column per metric: the table to read. The per-example membership scores are in
     * {@link RunResult#table()}, the metrics across splits or models in {@link #headline}.
     */
    public static Table summary(RunResult result) {
        return pivot(result, result.recipe().name(), r -> result.metric(r.metric()).scope() == Metric.Scope.PER_SPLIT);
    }

    /**
     * The final values of the metrics {@link Metric.Scope#ACROSS_SPLITS across splits} and
     * {@link Metric.Scope#ACROSS_MODELS across models} (forget quality, model utility, membership-inference AUCs,
     * PrivLeak), one row per model and split or span.
     */
    public static Table headline(RunResult result) {
        return pivot(result, result.recipe().name() + " (across splits)", r -> {
            Metric.Scope scope = result.metric(r.metric()).scope();
            return scope == Metric.Scope.ACROSS_SPLITS || scope == Metric.Scope.ACROSS_MODELS;
        });
    }

    /**
     * One row per model and split of the final rows {@code keep} accepts, one column per metric in the order
     * they first appear; the models a stage trained first, in the order they were made ({@link RunResult#models()}),
     * then the attacked ones (and any the run does not list) in row order.
     */
    private static Table pivot(RunResult result, String title, Predicate<Row> keep) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<List<String>> keys = new LinkedHashSet<>();
        for (Row r : result.rows()) {
            if (r.isFinal() && keep.test(r)) {
                metrics.add(r.metric());
                keys.add(List.of(r.model(), r.split()));
            }
        }
        List<List<String>> ordered = new ArrayList<>(keys);
        List<String> made = List.copyOf(result.models().keySet());
        ordered.sort(Comparator.comparingInt(k -> {
            ModelRole role = result.models().get(k.get(0));
            return role == null || !role.trained() ? made.size() : made.indexOf(k.get(0));
        }));
        Table t = Table.create(title, StringColumn.create("model"), StringColumn.create("split"));
        for (String m : metrics) {
            t.addColumns(fourDecimals(m));
        }
        for (List<String> k : ordered) {
            t.stringColumn("model").append(k.get(0));
            t.stringColumn("split").append(k.get(1));
            for (String m : metrics) {
                t.doubleColumn(m).append(find(result, k.get(0), k.get(1), m));
            }
        }
        return t;
    }

    /**
     * How each attack moved each metric of the model it attacked: columns {@code attack, split, metric, before,
     * after, delta}, where {@code after} is a final value of an attacked model, {@code before} the attacked
     * model's value of the same metric on the same split (NaN when it has none) and
     * {@code delta = after − before}; one row per final value of the attacked model (cross-split and
     * cross-model metrics included).
     *
     * <p>The attacked models are the run's models of role {@link ModelRole#ATTACKED}: a model called
     * {@code X+<attack>} is the model {@code X} after {@code <attack>} when {@code X} itself has final values (so
     * {@code unlearned+relearn} is {@code unlearned} relearned; with a {@code +} in {@code X}, the last one
     * splits). They come in the order of their first final row, which is the order the run attacked in, and
     * each one's rows in row order. The {@code attack} column holds the attack's name when every attacked model
     * has the same target (named in the title, e.g. "(attacks on unlearned)"), otherwise the attacked model's full
     * name. Empty when no model was attacked.
     */
    public static Table attackDeltas(RunResult result) {
        Set<String> models = new LinkedHashSet<>();
        for (Row r : result.rows()) {
            if (r.isFinal()) {
                models.add(r.model());
            }
        }
        Map<String, List<Row>> attacked = new LinkedHashMap<>();
        Set<String> targets = new LinkedHashSet<>();
        for (Row r : result.rows()) {
            @Nullable String target = target(r.model());
            if (r.isFinal() && result.models().get(r.model()) == ModelRole.ATTACKED && target != null
                    && models.contains(target)) {
                attacked.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r);
                targets.add(target);
            }
        }
        DoubleColumn before = fourDecimals("before");
        DoubleColumn after = fourDecimals("after");
        DoubleColumn delta = fourDecimals("delta");
        Table t = Table.create(result.recipe().name()
                        + (targets.isEmpty() ? " (attacks)" : " (attacks on " + String.join(", ", targets) + ")"),
                StringColumn.create("attack"), StringColumn.create("split"), StringColumn.create("metric"), before,
                after, delta);
        for (Map.Entry<String, List<Row>> e : attacked.entrySet()) {
            String model = e.getKey();
            String target = Objects.requireNonNull(target(model));
            String attack = targets.size() == 1 ? model.substring(target.length() + 1) : model;
            for (Row r : e.getValue()) {
                double b = find(result, target, r.split(), r.metric());
                t.stringColumn("attack").append(attack);
                t.stringColumn("split").append(r.split());
                t.stringColumn("metric").append(r.metric());
                before.append(b);
                after.append(r.value());
                delta.append(r.value() - b);
            }
        }
        return t;
    }

    /** The model an attacked model {@code X+<attack>} was made from, {@code X}; null without a {@code +}. */
    private static @Nullable String target(String model) {
        int plus = model.lastIndexOf('+');
        return plus <= 0 ? null : model.substring(0, plus);
    }

    /**
     * The stability of every curve: one row per model, stage, split and metric that was evaluated continually,
     * with columns {@code final} (the last point), {@code min}, {@code max}, {@code worst} and {@code gap}.
     * {@code worst} is the lowest or highest point, whichever is worse on that split by the metric's
     * {@link Metric.Direction#worse direction}; {@code gap = |worst − final|} is how much worse than its end
     * point the curve was at its worst: the stability gap of De Lange, van de Ven and Tuytelaars 2023,
     * "Continual evaluation for lifelong learning: identifying the stability gap" (ICLR 2023, §3), per metric.
     */
    public static Table stability(RunResult result) {
        Map<List<String>, List<Row>> curves = new LinkedHashMap<>();
        for (Row r : result.rows()) {
            if (!r.isFinal()) {
                curves.computeIfAbsent(List.of(r.model(), r.stage(), r.split(), r.metric()), k -> new ArrayList<>())
                        .add(r);
            }
        }
        DoubleColumn last = fourDecimals("final");
        DoubleColumn min = fourDecimals("min");
        DoubleColumn max = fourDecimals("max");
        DoubleColumn worst = fourDecimals("worst");
        DoubleColumn gap = fourDecimals("gap");
        Table t = Table.create(result.recipe().name() + " (stability)", StringColumn.create("model"),
                StringColumn.create("stage"), StringColumn.create("split"), StringColumn.create("metric"), last,
                min, max, worst, gap);
        for (Map.Entry<List<String>, List<Row>> e : curves.entrySet()) {
            List<Row> points = new ArrayList<>(e.getValue());
            points.sort(Comparator.comparingLong(Row::step));
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Row r : points) {
                lo = Math.min(lo, r.value());
                hi = Math.max(hi, r.value());
            }
            double end = points.get(points.size() - 1).value();
            String split = e.getKey().get(2);
            String metric = e.getKey().get(3);
            double bad = result.metric(metric).direction().worse(split, lo, hi);
            t.stringColumn("model").append(e.getKey().get(0));
            t.stringColumn("stage").append(e.getKey().get(1));
            t.stringColumn("split").append(split);
            t.stringColumn("metric").append(metric);
            last.append(end);
            min.append(lo);
            max.append(hi);
            worst.append(bad);
            gap.append(Math.abs(bad - end));
        }
        return t;
    }

    private static DoubleColumn fourDecimals(String name) {
        DoubleColumn c = DoubleColumn.create(name);
        c.setPrintFormatter(Numbers.columnFormatter());
        return c;
    }

    /** The final value of {@code metric} for {@code model} on {@code split}, NaN when there is none. */
    private static double find(RunResult result, String model, String split, String metric) {
        for (Row r : result.rows()) {
            if (r.isFinal() && r.model().equals(model) && r.split().equals(split) && r.metric().equals(metric)) {
                return r.value();
            }
        }
        return Double.NaN;
    }
}
