package dev.lethe.run;

/**
 * The linear datamodel of Attribute-to-Delete (Georgiev et al. 2024, "Attribute-to-Delete: Machine Unlearning via
 * Datamodel Matching", arXiv:2410.23232, §3; after Ilyas et al. 2022, "Datamodels: Predicting Predictions from
 * Training Data", Eq. 2): for each model output j (one logit of one answer position of one example), its values
 * y_nj under N models trained on random subsets S_n are regressed on the subsets' inclusion indicators x_n ∈ {0,1}^p,
 * <pre>
 *   y_nj ≈ b_j + Σ_i β_ij·x_ni,      (β, b) = argmin Σ_n (y_nj − b_j − x_nᵀβ_j)² + λ‖β_j‖²
 * </pre>
 * (ridge; λ = 0 is ordinary least squares, the intercept is not penalised). Solved in closed form: with X_c, Y_c the
 * column-centred X and Y, β = (X_cᵀX_c + λI)⁻¹X_cᵀY_c and b = ȳ − x̄ᵀβ. The authors' datamodels are ℓ1-regularised
 * (their code "un-soft-thresholds" the scores by the regularisation); ridge has a closed form, which is what makes
 * {@link #forgetWeights} possible.
 *
 * <p>Datamodel matching needs only Σ_{i∈F} β_ij for every output j, and that is one fixed linear combination of the
 * N models' outputs: Σ_{i∈F} β_ij = sᵀβ_j = wᵀY_c[:, j] with s the indicator of F among the p columns and
 * w = X_c(X_cᵀX_c + λI)⁻¹s; since the columns of X_c sum to 0, Σ_n w_n = 0 and wᵀY_c = wᵀY. So the subset models'
 * outputs need not be kept: each is added, times its weight w_n, to a running sum as soon as it is computed.
 */
final class Datamodel {
    private Datamodel() {}

    /**
     * The intercepts and coefficients: row 0 holds b (one per output), row 1 + i holds β_i.
     *
     * @param x the N × p inclusion indicators (any real values)
     * @param y the N × outputs values
     * @param ridge λ ≥ 0
     * @throws IllegalArgumentException when X_cᵀX_c + λI is singular (λ = 0 and N ≤ p, or a column constant over the
     *     models), or the shapes differ
     */
    static double[][] fit(double[][] x, double[][] y, double ridge) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException("a datamodel needs as many output rows as subsets (at least one), had "
                    + n + " subsets and " + y.length + " rows");
        }
        int p = x[0].length;
        int outputs = y[0].length;
        double[] xMean = columnMeans(x);
        double[] yMean = columnMeans(y);
        double[][] xc = centred(x, xMean);
        double[][] l = cholesky(gram(xc, ridge));
        double[][] out = new double[1 + p][outputs];
        double[] rhs = new double[p];
        for (int j = 0; j < outputs; j++) {
            for (int i = 0; i < p; i++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s += xc[r][i] * (y[r][j] - yMean[j]);
                }
                rhs[i] = s;
            }
            double[] beta = solve(l, rhs);
            double b = yMean[j];
            for (int i = 0; i < p; i++) {
                out[1 + i][j] = beta[i];
                b -= xMean[i] * beta[i];
            }
            out[0][j] = b;
        }
        return out;
    }

    /**
     * The weights w (one per subset model) with Σ_{i: forget[i]} β_ij = Σ_n w_n·y_nj for every output j, as the class
     * comment derives: w = X_c(X_cᵀX_c + λI)⁻¹s.
     *
     * @throws IllegalArgumentException as {@link #fit}
     */
    static double[] forgetWeights(double[][] x, boolean[] forget, double ridge) {
        int p = x[0].length;
        if (forget.length != p) {
            throw new IllegalArgumentException("forget marks " + forget.length + " columns, the design has " + p);
        }
        double[][] xc = centred(x, columnMeans(x));
        double[] s = new double[p];
        for (int i = 0; i < p; i++) {
            s[i] = forget[i] ? 1 : 0;
        }
        double[] a = solve(cholesky(gram(xc, ridge)), s);
        double[] w = new double[x.length];
        for (int r = 0; r < x.length; r++) {
            double v = 0;
            for (int i = 0; i < p; i++) {
                v += xc[r][i] * a[i];
            }
            w[r] = v;
        }
        return w;
    }

    private static double[] columnMeans(double[][] m) {
        double[] mean = new double[m[0].length];
        for (double[] row : m) {
            if (row.length != mean.length) {
                throw new IllegalArgumentException("ragged matrix: rows of " + mean.length + " and " + row.length);
            }
            for (int i = 0; i < row.length; i++) {
                mean[i] += row[i] / m.length;
            }
        }
        return mean;
    }

    private static double[][] centred(double[][] m, double[] mean) {
        double[][] out = new double[m.length][];
        for (int r = 0; r < m.length; r++) {
            out[r] = new double[mean.length];
            for (int i = 0; i < mean.length; i++) {
                out[r][i] = m[r][i] - mean[i];
            }
        }
        return out;
    }

    /** X_cᵀX_c + λI. */
    private static double[][] gram(double[][] xc, double ridge) {
        int p = xc[0].length;
        double[][] g = new double[p][p];
        for (double[] row : xc) {
            for (int i = 0; i < p; i++) {
                for (int k = 0; k <= i; k++) {
                    g[i][k] += row[i] * row[k];
                }
            }
        }
        for (int i = 0; i < p; i++) {
            g[i][i] += ridge;
            for (int k = 0; k < i; k++) {
                g[k][i] = g[i][k];
            }
        }
        return g;
    }

    /** The lower Cholesky factor L of a symmetric positive definite {@code a} = LLᵀ. */
    private static double[][] cholesky(double[][] a) {
        int p = a.length;
        double[][] l = new double[p][p];
        double scale = 0;
        for (int i = 0; i < p; i++) {
            scale = Math.max(scale, Math.abs(a[i][i]));
        }
        for (int i = 0; i < p; i++) {
            for (int k = 0; k <= i; k++) {
                double s = a[i][k];
                for (int m = 0; m < k; m++) {
                    s -= l[i][m] * l[k][m];
                }
                if (i == k) {
                    if (!(s > 1e-12 * Math.max(scale, 1))) {
                        throw new IllegalArgumentException("the datamodel's regression is singular (inclusion column "
                                + i + " is a combination of the others, or constant over the subset models): train "
                                + "more subset models than varied examples, or give ridge > 0");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][k] = s / l[k][k];
                }
            }
        }
        return l;
    }

    /** The solution z of LLᵀz = b. */
    private static double[] solve(double[][] l, double[] b) {
        int p = b.length;
        double[] u = new double[p];
        for (int i = 0; i < p; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * u[k];
            }
            u[i] = s / l[i][i];
        }
        double[] z = new double[p];
        for (int i = p - 1; i >= 0; i--) {
            double s = u[i];
            for (int k = i + 1; k < p; k++) {
                s -= l[k][i] * z[k];
            }
            z[i] = s / l[i][i];
        }
        return z;
    }
}
