package dev.lethe.adapter;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded KMeans (Lloyd's algorithm after k-means++ seeding, Arthur &amp; Vassilvitskii 2007) and the silhouette
 * score (Rousseeuw 1987) that GUARD-IT (arXiv 2605.12765, §3) picks its number of clusters with: K of the best
 * silhouette in 2..20. Euclidean distances, in double precision; the same points and seed give the same clusters.
 * The silhouette is scikit-learn's {@code silhouette_score} (a singleton cluster's point scores 0).
 */
public final class KMeans {
    private static final int MAX_ITERATIONS = 300;
    private static final double TOLERANCE = 1e-10;

    private KMeans() {}

    /**
     * A clustering.
     *
     * @param k the number of clusters
     * @param labels each point's cluster, 0..k−1
     * @param centers each cluster's mean
     * @param silhouette the mean silhouette of the points (NaN for k = 1)
     */
    public record Clusters(int k, int[] labels, double[][] centers, double silhouette) {}

    /**
     * {@code k} clusters of {@code points}: k-means++ seeding drawn from a {@link SplittableRandom} seeded with
     * {@code seed}, then Lloyd's iterations until no center moves by more than 1e-10 (at most 300); a cluster left
     * empty takes the point farthest from its center.
     *
     * @throws IllegalArgumentException when {@code k} is not in 1..points
     */
    public static Clusters fit(double[][] points, int k, long seed) {
        int n = points.length;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("KMeans: k must be in 1.." + n + " (the points), was " + k);
        }
        double[][] centers = seed(points, k, new SplittableRandom(seed));
        int[] labels = new int[n];
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            assign(points, centers, labels);
            double[][] next = means(points, labels, k, centers);
            double moved = 0;
            for (int c = 0; c < k; c++) {
                moved = Math.max(moved, squared(next[c], centers[c]));
            }
            centers = next;
            if (moved <= TOLERANCE * TOLERANCE) {
                break;
            }
        }
        assign(points, centers, labels);
        return new Clusters(k, labels, centers, k > 1 ? silhouette(points, labels) : Double.NaN);
    }

    /**
     * GUARD-IT's choice: the clustering of best silhouette for k in {@code 2..min(maxK, n−1)} (the first on a
     * tie), each fitted with {@code seed}; one cluster when fewer than 3 points leave no choice.
     */
    public static Clusters best(double[][] points, int maxK, long seed) {
        int n = points.length;
        if (n == 0) {
            throw new IllegalArgumentException("KMeans: no points to cluster");
        }
        if (n < 3 || maxK < 2) {
            return fit(points, 1, seed);
        }
        Clusters best = null;
        for (int k = 2; k <= Math.min(maxK, n - 1); k++) {
            Clusters c = fit(points, k, seed);
            if (best == null || c.silhouette() > best.silhouette()) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The mean silhouette s_i = (b_i − a_i)/max(a_i, b_i) over the points, a_i the mean distance to the other
     * points of its cluster, b_i the smallest mean distance to another cluster's points; 0 for a point alone in its
     * cluster (scikit-learn's {@code silhouette_score}, Euclidean).
     *
     * @throws IllegalArgumentException when the labels do not make 2..n−1 clusters
     */
    public static double silhouette(double[][] points, int[] labels) {
        int n = points.length;
        int k = Arrays.stream(labels).max().orElse(-1) + 1;
        int[] sizes = new int[k];
        for (int l : labels) {
            sizes[l]++;
        }
        long used = Arrays.stream(sizes).filter(s -> s > 0).count();
        if (used < 2 || used > n - 1) {
            throw new IllegalArgumentException("silhouette: needs 2.." + (n - 1) + " clusters, had " + used);
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] sums = new double[k];
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    sums[labels[j]] += Math.sqrt(squared(points[i], points[j]));
                }
            }
            int own = labels[i];
            if (sizes[own] == 1) {
                continue;
            }
            double a = sums[own] / (sizes[own] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c != own && sizes[c] > 0) {
                    b = Math.min(b, sums[c] / sizes[c]);
                }
            }
            double m = Math.max(a, b);
            total += m == 0 ? 0 : (b - a) / m;
        }
        return total / n;
    }

    /** k-means++: the first center uniform, each next one drawn with probability ∝ squared distance to the nearest. */
    private static double[][] seed(double[][] points, int k, SplittableRandom random) {
        int n = points.length;
        double[][] centers = new double[k][];
        centers[0] = points[random.nextInt(n)].clone();
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], squared(points[i], centers[c - 1]));
                sum += nearest[i];
            }
            int pick = n - 1;
            if (sum > 0) {
                double u = random.nextDouble() * sum;
                for (int i = 0; i < n; i++) {
                    u -= nearest[i];
                    if (u < 0) {
                        pick = i;
                        break;
                    }
                }
            } else {
                pick = random.nextInt(n);
            }
            centers[c] = points[pick].clone();
        }
        return centers;
    }

    private static void assign(double[][] points, double[][] centers, int[] labels) {
        for (int i = 0; i < points.length; i++) {
            int best = 0;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int c = 0; c < centers.length; c++) {
                double d = squared(points[i], centers[c]);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            labels[i] = best;
        }
    }

    /** Each cluster's mean; an empty cluster takes the point farthest from its current center. */
    private static double[][] means(double[][] points, int[] labels, int k, double[][] old) {
        int width = points[0].length;
        double[][] out = new double[k][width];
        int[] sizes = new int[k];
        for (int i = 0; i < points.length; i++) {
            sizes[labels[i]]++;
            for (int j = 0; j < width; j++) {
                out[labels[i]][j] += points[i][j];
            }
        }
        for (int c = 0; c < k; c++) {
            if (sizes[c] == 0) {
                int far = 0;
                double farthest = -1;
                for (int i = 0; i < points.length; i++) {
                    double d = squared(points[i], old[labels[i]]);
                    if (d > farthest) {
                        farthest = d;
                        far = i;
                    }
                }
                out[c] = points[far].clone();
                continue;
            }
            for (int j = 0; j < width; j++) {
                out[c][j] /= sizes[c];
            }
        }
        return out;
    }

    private static double squared(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double d = a[j] - b[j];
            s += d * d;
        }
        return s;
    }
}
