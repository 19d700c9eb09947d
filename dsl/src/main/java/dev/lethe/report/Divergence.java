package dev.lethe.report;

import dev.lethe.result.RunResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * How far apart the trajectories of one metric are across runs that differ only in the path that made the model
 * they start from — the path-dependence experiment of Yu, He, Goyal and Arora (2025, "On the impossibility of
 * retrain equivalence in machine unlearning", arXiv 2510.16629): the same local unlearning from models trained on
 * the same stages in different orders. At each step s that every run's continual evaluation of the stage measured,
 * the <b>spread</b> is max over runs − min over runs of the metric (|Δ| for two paths); the summary is that spread
 * at the first common step ({@code start}, the paths' difference before unlearning), at the last ({@code end}, the
 * unlearned models'), its mean over the common steps and its maximum.
 *
 * @param points the steps every run measured
 * @param start the spread at the first of them
 * @param end the spread at the last
 * @param mean the mean spread over them
 * @param max the largest spread
 */
public record Divergence(int points, double start, double end, double mean, double max) {

    /**
     * The divergence of the continual-evaluation curves of {@code metric} on {@code split} during the training stage
     * called {@code stage} (e.g. {@code unlearn}), one curve per run of {@code paths}.
     *
     * @throws IllegalArgumentException with fewer than two runs, or when no step is measured in every run
     */
    public static Divergence of(Map<String, RunResult> paths, String stage, String split, String metric) {
        Map<String, Map<Long, Double>> curves = new LinkedHashMap<>();
        paths.forEach((name, r) -> curves.put(name, curve(r, stage, split, metric)));
        return ofCurves(curves, stage + " " + split + " " + metric);
    }

    /**
     * The divergence of curves given as step → value per run; {@code what} names them in errors.
     *
     * @throws IllegalArgumentException with fewer than two curves, or when no step is in every curve
     */
    static Divergence ofCurves(Map<String, Map<Long, Double>> curves, String what) {
        if (curves.size() < 2) {
            throw new IllegalArgumentException("the divergence of " + what + " needs at least two paths, had "
                    + curves.keySet());
        }
        TreeMap<Long, double[]> range = new TreeMap<>();
        boolean first = true;
        for (Map<Long, Double> c : curves.values()) {
            if (first) {
                c.forEach((step, v) -> range.put(step, new double[] {v, v}));
                first = false;
            } else {
                range.keySet().retainAll(c.keySet());
                range.forEach((step, mm) -> {
                    double v = c.get(step);
                    mm[0] = Math.min(mm[0], v);
                    mm[1] = Math.max(mm[1], v);
                });
            }
        }
        if (range.isEmpty()) {
            throw new IllegalArgumentException("no step of " + what + " is measured on every path of "
                    + curves.keySet() + " (is the stage evaluated continually?)");
        }
        double sum = 0;
        double max = 0;
        for (double[] mm : range.values()) {
            double spread = mm[1] - mm[0];
            sum += spread;
            max = Math.max(max, spread);
        }
        double start = range.firstEntry().getValue()[1] - range.firstEntry().getValue()[0];
        double end = range.lastEntry().getValue()[1] - range.lastEntry().getValue()[0];
        return new Divergence(range.size(), start, end, sum / range.size(), max);
    }

    /**
     * The divergence of {@code metric} on {@code split} during {@code stage} over several seeds (each map one seed's
     * runs by path, the same paths in each), as a one-row-per-(split, metric) table: the number of seeds; each
     * path's mean final value (the last point of its curve); and the mean and the sample standard deviation over
     * seeds of the spread at the start, at the end, and its mean and maximum over the trajectory (standard
     * deviation NaN for one seed).
     *
     * @param splitMetrics pairs {split, metric}, e.g. {@code List.of(List.of("forget", "probability"))}
     */
    public static Table table(List<Map<String, RunResult>> seeds, String stage, List<List<String>> splitMetrics) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("the divergence table needs at least one seed's runs");
        }
        List<String> paths = List.copyOf(seeds.get(0).keySet());
        Table t = Table.create("divergence across paths during " + stage, StringColumn.create("split"),
                StringColumn.create("metric"), IntColumn.create("seeds"));
        for (String p : paths) {
            t.addColumns(column("final " + p));
        }
        for (String s : List.of("start", "end", "mean", "max")) {
            t.addColumns(column(s + " spread"), column(s + " sd"));
        }
        for (List<String> sm : splitMetrics) {
            String split = sm.get(0);
            String metric = sm.get(1);
            List<Divergence> ds = new ArrayList<>();
            double[] finals = new double[paths.size()];
            for (Map<String, RunResult> seed : seeds) {
                if (!seed.keySet().equals(Set.copyOf(paths))) {
                    throw new IllegalArgumentException("every seed needs the paths " + paths + ", one had "
                            + seed.keySet());
                }
                ds.add(of(seed, stage, split, metric));
                for (int i = 0; i < paths.size(); i++) {
                    TreeMap<Long, Double> c = curve(seed.get(paths.get(i)), stage, split, metric);
                    finals[i] += c.lastEntry().getValue() / seeds.size();
                }
            }
            t.stringColumn("split").append(split);
            t.stringColumn("metric").append(metric);
            t.intColumn("seeds").append(seeds.size());
            for (int i = 0; i < paths.size(); i++) {
                t.doubleColumn("final " + paths.get(i)).append(finals[i]);
            }
            append(t, "start", ds.stream().mapToDouble(Divergence::start).toArray());
            append(t, "end", ds.stream().mapToDouble(Divergence::end).toArray());
            append(t, "mean", ds.stream().mapToDouble(Divergence::mean).toArray());
            append(t, "max", ds.stream().mapToDouble(Divergence::max).toArray());
        }
        return t;
    }

    /** The continual points of {@code metric} on {@code split} during {@code stage}, step → value, in step order. */
    private static TreeMap<Long, Double> curve(RunResult r, String stage, String split, String metric) {
        TreeMap<Long, Double> c = new TreeMap<>();
        for (RunResult.Row row : r.rows()) {
            if (!row.isFinal() && row.stage().equals(stage) && row.split().equals(split)
                    && row.metric().equals(metric)) {
                c.put(row.step(), row.value());
            }
        }
        if (c.isEmpty()) {
            throw new IllegalArgumentException("run '" + r.recipe().name() + "' has no continual points of " + metric
                    + " on " + split + " during " + stage);
        }
        return c;
    }

    private static void append(Table t, String what, double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v / values.length;
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        t.doubleColumn(what + " spread").append(mean);
        t.doubleColumn(what + " sd").append(values.length < 2 ? Double.NaN : Math.sqrt(ss / (values.length - 1)));
    }

    private static DoubleColumn column(String name) {
        DoubleColumn c = DoubleColumn.create(name);
        c.setPrintFormatter(Numbers.columnFormatter());
        return c;
    }
}
