package dev.lethe.eval.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Area under the ROC curve for membership inference (forget = members = positives vs holdout = non-members),
 * reproducing {@code sklearn.metrics.roc_auc_score} and {@code roc_curve(drop_intermediate=True)} for binary
 * labels. Tied scores form one threshold, so a tie between a positive and a negative counts one half (the
 * Mann–Whitney U / (n₊·n₋) convention). Higher scores must mean "more likely positive": for loss-like scores
 * (LOSS, zlib, Min-K% as defined in {@link MiaScores}, where members score lower) pass the negated scores or
 * label the holdout as positive.
 */
public final class RocAuc {
    private RocAuc() {}

    /**
     * {@code sklearn.metrics.roc_auc_score(positive, scores)}: the trapezoidal area under {@link #curve}.
     *
     * @throws IllegalArgumentException if lengths differ, a score is NaN, or only one class is present
     */
    public static double auc(double[] scores, boolean[] positive) {
        RocCurve c = curve(scores, positive);
        double area = 0;
        for (int i = 1; i < c.fpr().length; i++) {
            area += (c.fpr()[i] - c.fpr()[i - 1]) * (c.tpr()[i] + c.tpr()[i - 1]) / 2;
        }
        return area;
    }

    /**
     * {@code sklearn.metrics.roc_curve(positive, scores, drop_intermediate=True)}: one point per distinct score
     * (descending), collinear interior points dropped, and a first point (0, 0) at threshold +∞ (scikit-learn ≥ 1.3;
     * 1.2 used max(score) + 1 there).
     *
     * @throws IllegalArgumentException if lengths differ, a score is NaN, or only one class is present
     */
    public static RocCurve curve(double[] scores, boolean[] positive) {
        int n = scores.length;
        if (positive.length != n) {
            throw new IllegalArgumentException("scores and labels differ in length: " + n + " vs " + positive.length);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<double[]> points = new ArrayList<>(); // {fps, tps, threshold}
        double tps = 0;
        double fps = 0;
        for (int r = 0; r < n; r++) {
            int i = order[r];
            if (positive[i]) {
                tps++;
            } else {
                fps++;
            }
            if (r == n - 1 || scores[order[r + 1]] != scores[i]) {
                points.add(new double[] {fps, tps, scores[i]});
            }
        }
        if (tps == 0 || fps == 0) {
            throw new IllegalArgumentException("ROC AUC needs both classes; got " + (int) tps + " positives and "
                    + (int) fps + " negatives");
        }
        List<double[]> kept = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            boolean interior = k > 0 && k < points.size() - 1;
            if (interior && points.size() > 2) {
                double[] a = points.get(k - 1);
                double[] b = points.get(k);
                double[] c = points.get(k + 1);
                boolean fpsBends = c[0] - 2 * b[0] + a[0] != 0;
                boolean tpsBends = c[1] - 2 * b[1] + a[1] != 0;
                if (!fpsBends && !tpsBends) {
                    continue;
                }
            }
            kept.add(points.get(k));
        }
        int m = kept.size() + 1;
        double[] fpr = new double[m];
        double[] tpr = new double[m];
        double[] thresholds = new double[m];
        thresholds[0] = Double.POSITIVE_INFINITY;
        for (int k = 1; k < m; k++) {
            double[] p = kept.get(k - 1);
            fpr[k] = p[0] / fps;
            tpr[k] = p[1] / tps;
            thresholds[k] = p[2];
        }
        return new RocCurve(fpr, tpr, thresholds);
    }
}
