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
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The tables to read from a run: its final values per split ({@link #summary}), the metrics that span splits
 * or models ({@link #headline}), what each attack changed ({@link #attackDeltas}) and how far each curve
 * strayed ({@link #stability}) and its worst-case accuracy across the pipeline ({@link #continual}). Each is a new
 * Tablesaw table built from {@link RunResult#rows()}; rows are
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

    /**
     * De Lange, van de Ven and Tuytelaars's worst-case metrics over the pipeline ("Continual evaluation for
     * lifelong learning: identifying the stability gap", ICLR 2023, the min-ACC and WC-ACC metrics). The tasks
     * T_1, T_2, ... are the continually evaluated training stages of the run's model in pipeline order (learn,
     * finetune, unlearn — each request of a sequential one —, relearn: the curves of trained models other than the
     * reference; the reference and the attacked copies branch off the pipeline and are left out). Lethe evaluates
     * the same splits after every task, so each task's evaluation set E_i of the paper is a curve (split, metric):
     * for task k and each of its curves, one row with
     * <pre>
     *   final  = A(E, f_{|T_k|}), the curve's last point in task k
     *   min_acc = 1/(k−1) · Σ_{i&lt;k} worst_{|T_i| &lt; n ≤ |T_k|} A(E, f_n)          (min-ACC_{T_k})
     *   wc_acc  = (1/k) · final + (1 − 1/k) · min_acc                                  (WC-ACC at |T_k|)
     * </pre>
     * where the inner worst runs over the points of tasks i+1..k after their first step (a task's step-0 point
     * is f_{|T_{j−1}|} itself, which the paper's n &gt; |T_i| excludes), and "worst" follows the metric's
     * {@link Metric.Direction direction} on that split, as in {@link #stability}: the minimum of a knowledge
     * metric on retain (the paper's minimum accuracy), its maximum on forget. A task i whose window holds no
     * point of that curve is left out of the mean; for k = 1 there is no earlier task, min_acc is NaN (a missing
     * cell) and wc_acc is the final value. Columns: {@code task} (k), {@code model}, {@code stage}, {@code split},
     * {@code metric}, {@code final}, {@code min_acc}, {@code wc_acc}.
     */
    public static Table continual(RunResult result) {
        Map<List<String>, Map<List<String>, List<Row>>> tasks = new LinkedHashMap<>();
        for (Row r : result.rows()) {
            ModelRole role = result.models().get(r.model());
            if (!r.isFinal() && role != null && role.trained() && role != ModelRole.REFERENCE) {
                tasks.computeIfAbsent(List.of(r.model(), r.stage()), k -> new LinkedHashMap<>())
                        .computeIfAbsent(List.of(r.split(), r.metric()), k -> new ArrayList<>()).add(r);
            }
        }
        List<Map<List<String>, List<Row>>> ordered = new ArrayList<>(tasks.values());
        ordered.forEach(curves -> curves.values().forEach(points -> points.sort(Comparator.comparingLong(Row::step))));
        DoubleColumn last = fourDecimals("final");
        DoubleColumn minAcc = fourDecimals("min_acc");
        DoubleColumn wcAcc = fourDecimals("wc_acc");
        Table t = Table.create(result.recipe().name() + " (continual: min-ACC, WC-ACC)",
                IntColumn.create("task"), StringColumn.create("model"), StringColumn.create("stage"),
                StringColumn.create("split"), StringColumn.create("metric"), last, minAcc, wcAcc);
        List<List<String>> keys = new ArrayList<>(tasks.keySet());
        for (int k = 1; k <= ordered.size(); k++) {
            for (Map.Entry<List<String>, List<Row>> curve : ordered.get(k - 1).entrySet()) {
                String split = curve.getKey().get(0);
                String metric = curve.getKey().get(1);
                List<Row> points = curve.getValue();
                double end = points.get(points.size() - 1).value();
                double m = minAcc(result, ordered, curve.getKey(), k);
                t.intColumn("task").append(k);
                t.stringColumn("model").append(keys.get(k - 1).get(0));
                t.stringColumn("stage").append(keys.get(k - 1).get(1));
                t.stringColumn("split").append(split);
                t.stringColumn("metric").append(metric);
                last.append(end);
                minAcc.append(m);
                wcAcc.append(k == 1 ? end : end / k + (1 - 1.0 / k) * m);
            }
        }
        return t;
    }

    /**
     * min-ACC_{T_k} of the curve {@code key} (split, metric): the mean over the earlier tasks i &lt; k of the worst
     * point of tasks i+1..k after their first step; NaN when no earlier task has such a point.
     */
    private static double minAcc(RunResult result, List<Map<List<String>, List<Row>>> tasks, List<String> key,
            int k) {
        Metric.Direction direction = result.metric(key.get(1)).direction();
        double sum = 0;
        int count = 0;
        for (int i = 1; i < k; i++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int j = i + 1; j <= k; j++) {
                for (Row r : tasks.get(j - 1).getOrDefault(key, List.of())) {
                    if (r.step() > 0) {
                        lo = Math.min(lo, r.value());
                        hi = Math.max(hi, r.value());
                    }
                }
            }
            if (lo <= hi) {
                sum += direction.worse(key.get(0), lo, hi);
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
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
