package dev.lethe.eval;

import dev.lethe.data.Split;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a metric is: its name (the {@code metric} column of a run's table), which way it points, which rows
 * it spans, and one line of documentation. Each suite declares the metrics it produces
 * ({@link Suite#metrics()}), as do {@link CrossModelMetrics} and {@link ReferenceKl}; the report views
 * choose rows by {@link #scope()} and judge curves by {@link #direction()}, never by the metric's name.
 *
 * @param name the name, e.g. {@code exact_match}: letters, digits, {@code _}, {@code .} or {@code -}
 * @param direction what a higher value means
 * @param scope what one value spans
 * @param doc one line: what it measures
 * @param lower the lowest value it can take ({@code -∞} when unbounded below)
 * @param upper the highest value it can take ({@code +∞} when unbounded above): a share, an AUC or a p-value
 *     lies in [0, 1], which fixes a chart's axis to that range ({@link #within})
 */
public record Metric(String name, Direction direction, Scope scope, String doc, double lower, double upper) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

    /** A metric without bounds (a loss, a divergence); {@link #within} gives it its range. */
    public Metric(String name, Direction direction, Scope scope, String doc) {
        this(name, direction, scope, doc, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /**
     * Checks the name (it is written unquoted into CSV), the bounds ({@code lower < upper}, neither NaN) and
     * that a value spanning several splits or models has a direction that does not depend on the split.
     */
    public Metric {
        if (!(lower < upper)) {
            throw new IllegalArgumentException("metric " + name + " needs lower < upper, was [" + lower + ", "
                    + upper + "]");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a metric's name has letters, digits, '_', '.' or '-' only, was '"
                    + name + "'");
        }
        if (scope != Scope.PER_SPLIT && scope != Scope.PER_EXAMPLE && direction.dependsOnSplit()) {
            throw new IllegalArgumentException("metric " + name + " spans " + scope
                    + ", so its direction cannot depend on a split; was " + direction);
        }
    }

    /** This metric with values in [{@code newLower}, {@code newUpper}], e.g. {@code within(0, 1)} for a share. */
    public Metric within(double newLower, double newUpper) {
        return new Metric(name, direction, scope, doc, newLower, newUpper);
    }

    /** Whether both bounds are finite: a chart shows the whole range [{@link #lower}, {@link #upper}]. */
    public boolean bounded() {
        return Double.isFinite(lower) && Double.isFinite(upper);
    }

    /**
     * What a higher value of a metric means. The goal of unlearning sets what is better: the model should
     * hold <em>less</em> of the forget split and <em>as much as before</em> of every other split (retain,
     * world, holdout). So for the two knowledge directions, whether higher is worse follows from the split
     * alone: on {@link Split#FORGET} more knowledge is worse, on every other split less knowledge is worse.
     * The other three directions are the same on every split, for metrics already oriented towards the goal
     * (or away from it) by their definition.
     */
    public enum Direction {
        /**
         * Higher means the model holds more of the split's data (knows, memorises or reproduces it):
         * probability, exact match, token accuracy, ROUGE, multiple-choice accuracy. Worse when higher on
         * forget, better when higher elsewhere.
         */
        HIGHER_KNOWS_MORE,
        /**
         * Higher means the model holds less of the split's data: a loss such as {@code nll}, a membership
         * score that is lower for memorised text. Better when higher on forget, worse when higher elsewhere.
         */
        HIGHER_KNOWS_LESS,
        /**
         * Higher is better on every split: the metric is defined towards the goal, e.g. forget quality (more
         * like the reference) or TOFU's truth ratio (min(R, 1/R) on forget, max(0, 1 − R) elsewhere).
         */
        HIGHER_IS_BETTER,
        /**
         * Higher is worse on every split: a distance from the reference ({@code kl_to_reference}) or how well
         * forget members are told apart from non-members ({@code mia_auc_*}).
         */
        HIGHER_IS_WORSE,
        /**
         * 0 is ideal and the further from 0 the worse, on either side: PrivLeak (negative, down to about −100:
         * the model still holds the forget set; positive: it was unlearned past the reference).
         */
        ZERO_IS_BEST;

        /** Whether the meaning of a higher value depends on the split (the two knowledge directions). */
        public boolean dependsOnSplit() {
            return this == HIGHER_KNOWS_MORE || this == HIGHER_KNOWS_LESS;
        }

        /**
         * The worse of two values {@code low ≤ high} of a metric of this direction measured on {@code split}
         * (a split's id, or the span of a cross-split metric): {@code high} when higher is worse there,
         * {@code low} when higher is better, and for {@link #ZERO_IS_BEST} the one further from 0
         * ({@code high} on a tie). Since every direction is monotone or distance-from-0, the worst point of a
         * curve is always its minimum or its maximum, which is what this chooses between.
         */
        public double worse(String split, double low, double high) {
            boolean forget = split.equals(Split.FORGET.id());
            return switch (this) {
                case HIGHER_KNOWS_MORE -> forget ? high : low;
                case HIGHER_KNOWS_LESS -> forget ? low : high;
                case HIGHER_IS_BETTER -> low;
                case HIGHER_IS_WORSE -> high;
                case ZERO_IS_BEST -> Math.abs(high) >= Math.abs(low) ? high : low;
            };
        }
    }

    /** What one value of a metric spans, which decides the table it is read in. */
    public enum Scope {
        /** One model on one split: the per-split table (the summary). */
        PER_SPLIT,
        /**
         * A score per example whose split mean is only a by-product: the per-example values are the input of a
         * cross-split metric (the membership scores behind {@code mia_auc_*}); in the tidy table, not in the
         * summary or the headline.
         */
        PER_EXAMPLE,
        /** One model on a span of splits, e.g. forget against holdout, or retain and world together. */
        ACROSS_SPLITS,
        /** One model compared with another (the reference), e.g. forget quality or PrivLeak. */
        ACROSS_MODELS
    }

    /**
     * The metrics by name, in order.
     *
     * @throws IllegalArgumentException when two different metrics share a name
     */
    public static Map<String, Metric> byName(Collection<Metric> metrics) {
        Map<String, Metric> out = new LinkedHashMap<>();
        for (Metric m : metrics) {
            @Nullable Metric before = out.putIfAbsent(m.name(), m);
            if (before != null && !before.equals(m)) {
                throw new IllegalArgumentException("two metrics are called " + m.name() + ": " + before + " and " + m);
            }
        }
        return out;
    }
}
