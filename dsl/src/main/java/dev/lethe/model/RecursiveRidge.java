package dev.lethe.model;

import java.util.Arrays;

/**
 * The closed-form ridge regression of ACU (Tang et al. 2025, "ACU: Analytic Continual Unlearning for Efficient
 * and Exact Forgetting with Privacy Preservation", arXiv 2505.12239, method section: the analytic knowledge
 * embedding of the continual-learning phase and the recursive analytic unlearning of each request), kept
 * recursively in float64 so that neither learning nor forgetting ever revisits earlier data.
 *
 * <p>For features X (rows) and one-hot targets Y, the head is the ridge solution W = R·XᵀY with the
 * "knowledge tracking" matrix R = (XᵀX + γI)⁻¹; it starts at R = I/γ, W = 0. With S = I ± X_k R X_kᵀ and
 * G = R X_kᵀ S⁻¹ (= R' X_kᵀ, the gain):
 * <ul>
 *   <li>learn rows X_k, Y_k (recursive least squares, Woodbury on R⁻¹ + X_kᵀX_k):
 *       R' = R − R X_kᵀ(I + X_k R X_kᵀ)⁻¹X_k R = R − G·X_k R, and W' = W + R'X_kᵀ(Y_k − X_k W) = W + G(Y_k − X_k W);</li>
 *   <li>forget rows X_u, Y_u (Woodbury on R⁻¹ − X_uᵀX_u, the downdate):
 *       R' = R + R X_uᵀ(I − X_u R X_uᵀ)⁻¹X_u R = R + G·X_u R, and W' = W − R'X_uᵀ(Y_u − X_u W) = W − G(Y_u − X_u W).</li>
 * </ul>
 * These are the formulas of {@code FORMULAS.md} (section "Methods and metrics added in turn 2", ACU), derived from
 * the paper's setting (no authors' code was found); the equality R'X_kᵀ = R X_kᵀS⁻¹ is what lets both updates use
 * one gain. The paper's section and equation numbers were not checked against its full text (not at hand here); the
 * equations are written out above instead. After any sequence of learn and forget requests, W equals the ridge solution on the rows learned and not
 * forgotten (up to rounding), which {@code RecursiveRidgeTest} checks against a direct solve of the normal equations.
 *
 * <p>The columns of W are the target token ids seen so far ({@link #tokens()}), in the order first seen: a column of
 * a token that is never a target stays exactly zero, so it is not stored (a vocabulary of 150 000 ids costs only the
 * ids the data uses). Immutable: each update returns a new value, so models that share one share its arrays.
 * Plain Java arithmetic in a fixed order: the same inputs give the same bits on any machine.
 */
public final class RecursiveRidge {
    private final int dim;
    private final double gamma;
    private final double[] r;
    private final int[] tokens;
    private final double[] w;

    private RecursiveRidge(int dim, double gamma, double[] r, int[] tokens, double[] w) {
        this.dim = dim;
        this.gamma = gamma;
        this.r = r;
        this.tokens = tokens;
        this.w = w;
    }

    /**
     * The start: R = I/γ, no columns.
     *
     * @param dim the feature dimension D
     * @param gamma the ridge regularisation γ, above 0
     */
    public static RecursiveRidge start(int dim, double gamma) {
        if (dim < 1) {
            throw new IllegalArgumentException("the feature dimension must be >= 1, was " + dim);
        }
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("gamma must be a positive finite number, was " + gamma);
        }
        double[] r = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            r[i * dim + i] = 1 / gamma;
        }
        return new RecursiveRidge(dim, gamma, r, new int[0], new double[0]);
    }

    /**
     * A state read back from its arrays ({@link #r()}, {@link #tokens()}, {@link #w()}).
     *
     * @throws IllegalArgumentException when the sizes do not fit {@code dim}
     */
    public static RecursiveRidge of(int dim, double gamma, double[] r, int[] tokens, double[] w) {
        RecursiveRidge start = start(dim, gamma);
        if (r.length != dim * dim || w.length != dim * tokens.length) {
            throw new IllegalArgumentException("a ridge state of dimension " + dim + " needs R of " + dim * dim
                    + " values and W of " + dim + " × " + tokens.length + ", got " + r.length + " and " + w.length);
        }
        if (Arrays.stream(tokens).distinct().count() != tokens.length) {
            throw new IllegalArgumentException("the target token ids of a ridge state repeat");
        }
        return new RecursiveRidge(start.dim, gamma, r.clone(), tokens.clone(), w.clone());
    }

    /**
     * Learns the rows {@code x} (n × D, row-major) with next-token targets {@code targets} (n ids).
     *
     * @throws IllegalArgumentException when the sizes do not fit
     */
    public RecursiveRidge learn(double[] x, int[] targets) {
        return update(x, targets, 1);
    }

    /**
     * Forgets the rows {@code x} (n × D, row-major) with targets {@code targets}, which must have been learned.
     *
     * @throws IllegalArgumentException when a target was never learned, or I − X R Xᵀ is not positive definite
     *     (the rows were not all learned)
     */
    public RecursiveRidge forget(double[] x, int[] targets) {
        for (int t : targets) {
            if (column(t) < 0) {
                throw new IllegalArgumentException("token " + t + " was never a learned target, so these rows were "
                        + "never learned");
            }
        }
        return update(x, targets, -1);
    }

    private RecursiveRidge update(double[] x, int[] targets, int sign) {
        int n = targets.length;
        if (x.length != n * dim) {
            throw new IllegalArgumentException(n + " targets need " + n * dim + " feature values (D = " + dim
                    + "), got " + x.length);
        }
        if (n == 0) {
            return this;
        }
        int[] cols = tokens;
        double[] w0 = w;
        for (int t : targets) {
            if (indexOf(cols, t) < 0) {
                cols = Arrays.copyOf(cols, cols.length + 1);
                cols[cols.length - 1] = t;
            }
        }
        int k = cols.length;
        if (k != tokens.length) {
            w0 = new double[dim * k];
            for (int i = 0; i < dim; i++) {
                System.arraycopy(w, i * tokens.length, w0, i * k, tokens.length);
            }
        }
        double[] xr = multiply(x, n, dim, r, dim);                     // X R, n × D (R symmetric: = (R Xᵀ)ᵀ)
        double[] s = multiplyTransposed(xr, x, n, dim, n);             // X R Xᵀ, n × n
        for (int i = 0; i < n * n; i++) {
            s[i] *= sign;
        }
        for (int i = 0; i < n; i++) {
            s[i * n + i] += 1;                                          // S = I ± X R Xᵀ
        }
        double[] chol = cholesky(s, n);
        double[] gT = solve(chol, n, xr, dim);                          // Gᵀ = S⁻¹ X R, n × D
        double[] r1 = r.clone();
        for (int a = 0; a < n; a++) {                                    // R' = R ∓ G (X R)
            for (int i = 0; i < dim; i++) {
                double g = gT[a * dim + i] * sign;
                if (g == 0) {
                    continue;
                }
                int row = i * dim;
                int from = a * dim;
                for (int j = 0; j < dim; j++) {
                    r1[row + j] -= g * xr[from + j];
                }
            }
        }
        double[] e = multiply(x, n, dim, w0, k);                        // E = Y − X W, n × K
        for (int i = 0; i < e.length; i++) {
            e[i] = -e[i];
        }
        for (int a = 0; a < n; a++) {
            e[a * k + indexOf(cols, targets[a])] += 1;
        }
        double[] w1 = w0.clone();
        for (int a = 0; a < n; a++) {                                    // W' = W ± G E
            for (int i = 0; i < dim; i++) {
                double g = gT[a * dim + i] * sign;
                if (g == 0) {
                    continue;
                }
                int row = i * k;
                int from = a * k;
                for (int j = 0; j < k; j++) {
                    w1[row + j] += g * e[from + j];
                }
            }
        }
        symmetrize(r1, dim);
        return new RecursiveRidge(dim, gamma, r1, cols, w1);
    }

    /** The feature dimension D. */
    public int dim() {
        return dim;
    }

    /** The regularisation γ. */
    public double gamma() {
        return gamma;
    }

    /** R = (XᵀX + γI)⁻¹, D × D row-major (a copy). */
    public double[] r() {
        return r.clone();
    }

    /** The target token ids W has columns for, in column order (a copy). */
    public int[] tokens() {
        return tokens.clone();
    }

    /** W, D × {@code tokens().length} row-major (a copy). */
    public double[] w() {
        return w.clone();
    }

    /** The column of token {@code token}, or −1. */
    public int column(int token) {
        return indexOf(tokens, token);
    }

    /** Keeps R exactly symmetric: rounding in the two triangles otherwise drifts apart over many requests. */
    private static void symmetrize(double[] m, int d) {
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m[i * d + j] + m[j * d + i]);
                m[i * d + j] = v;
                m[j * d + i] = v;
            }
        }
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** a (n × m) · b (m × p), row-major. */
    static double[] multiply(double[] a, int n, int m, double[] b, int p) {
        double[] out = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < m; l++) {
                double v = a[i * m + l];
                if (v == 0) {
                    continue;
                }
                int from = l * p;
                int to = i * p;
                for (int j = 0; j < p; j++) {
                    out[to + j] += v * b[from + j];
                }
            }
        }
        return out;
    }

    /** a (n × m) · bᵀ with b (p × m), row-major. */
    private static double[] multiplyTransposed(double[] a, double[] b, int n, int m, int p) {
        double[] out = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                double sum = 0;
                for (int l = 0; l < m; l++) {
                    sum += a[i * m + l] * b[j * m + l];
                }
                out[i * p + j] = sum;
            }
        }
        return out;
    }

    /** The lower Cholesky factor of the symmetric n × n matrix {@code s}. */
    private static double[] cholesky(double[] s, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = s[i * n + j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i * n + k] * l[j * n + k];
                }
                if (i == j) {
                    if (!(sum > 1e-12)) {
                        throw new IllegalArgumentException("I ± X R Xᵀ is not positive definite (pivot " + sum + "): "
                                + "rows to forget must be rows that were learned and not yet forgotten");
                    }
                    l[i * n + i] = Math.sqrt(sum);
                } else {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }
        return l;
    }

    /** S⁻¹ b for b (n × p), from S's Cholesky factor. */
    private static double[] solve(double[] l, int n, double[] b, int p) {
        double[] y = b.clone();
        for (int i = 0; i < n; i++) {                     // L y = b
            for (int k = 0; k < i; k++) {
                double f = l[i * n + k];
                for (int j = 0; j < p; j++) {
                    y[i * p + j] -= f * y[k * p + j];
                }
            }
            double d = l[i * n + i];
            for (int j = 0; j < p; j++) {
                y[i * p + j] /= d;
            }
        }
        for (int i = n - 1; i >= 0; i--) {                // Lᵀ x = y
            for (int k = i + 1; k < n; k++) {
                double f = l[k * n + i];
                for (int j = 0; j < p; j++) {
                    y[i * p + j] -= f * y[k * p + j];
                }
            }
            double d = l[i * n + i];
            for (int j = 0; j < p; j++) {
                y[i * p + j] /= d;
            }
        }
        return y;
    }
}
