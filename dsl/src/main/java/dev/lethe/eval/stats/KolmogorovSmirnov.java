package dev.lethe.eval.stats;

import java.util.Arrays;

/**
 * The two-sided two-sample Kolmogorov–Smirnov test, reproducing {@code scipy.stats.ks_2samp} (SciPy 1.10,
 * {@code alternative='two-sided'}). TOFU's <em>forget quality</em> is this p-value between the forget-set truth
 * ratios of the unlearned model and of the reference model trained on the retain set only (Maini et al., 2024).
 *
 * <p>Exact p-values follow Hodges (1958), "The significance probability of the Smirnov two-sample test",
 * Arkiv för Matematik 3(43): for equal sizes the reflection-principle alternating sum
 * Pr(D ≥ h/n) = 2 Σ_{k≥1} (−1)^{k−1} C(2n, n−kh)/C(2n, n), evaluated as a Horner-like product without
 * cancellation; for unequal sizes the lattice-path "inside" recursion written, as Viehmann (2021, arXiv:2102.08037)
 * proposes, directly for the proportion of paths that leave the band |x/m − y/n| &lt; h/lcm(m, n), so that tiny
 * p-values (1e-40 and below) keep full relative precision. The large-sample path ({@link Method#ASYMP}) is SciPy's
 * too: the finite-n one-sample distribution at the effective size round(nm/(n+m)), see
 * {@link #asymptoticPValue}. The Java follows SciPy's implementation of these algorithms
 * ({@code scipy/stats/_stats_py.py}, {@code _stats_pythran.py}; BSD-3-Clause, © the SciPy developers) step for
 * step, so that results agree to rounding.
 */
public final class KolmogorovSmirnov {

    /** Which null distribution gives the p-value. */
    public enum Method {
        /** {@link #EXACT} when both samples have at most 10 000 values, else {@link #ASYMP} (SciPy's rule). */
        AUTO,
        /**
         * The exact distribution of D for the two sample sizes; falls back to {@link #ASYMP}, as SciPy does, when
         * lcm(n, m) does not fit a 32-bit int or the computation overflows.
         */
        EXACT,
        /** The large-sample approximation of SciPy (see {@link KolmogorovSmirnov#asymptoticPValue}). */
        ASYMP
    }

    /** SciPy's {@code MAX_AUTO_N}: {@code auto} is exact while both sizes are at most this. */
    public static final int MAX_AUTO_N = 10_000;

    private KolmogorovSmirnov() {}

    /**
     * {@code scipy.stats.ks_2samp(a, b)} with {@code method='auto'}.
     *
     * @throws IllegalArgumentException if a sample is empty or holds NaN
     */
    public static KsResult twoSample(double[] a, double[] b) {
        return twoSample(a, b, Method.AUTO);
    }

    /**
     * {@code scipy.stats.ks_2samp(a, b, method=...)}, two-sided. The statistic is
     * D = max over all observed x of |F_a(x) − F_b(x)|, with right-continuous empirical CDFs (ties count as ≤);
     * on the exact path it is rounded to the lattice, h/lcm(n, m), as SciPy returns it.
     *
     * @throws IllegalArgumentException if a sample is empty or holds NaN
     */
    public static KsResult twoSample(double[] a, double[] b, Method method) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("Kolmogorov–Smirnov needs two non-empty samples");
        }
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        if (Double.isNaN(x[x.length - 1]) || Double.isNaN(y[y.length - 1])) {
            throw new IllegalArgumentException("Kolmogorov–Smirnov samples must not hold NaN");
        }
        int n1 = x.length;
        int n2 = y.length;
        double maxDiff = Double.NEGATIVE_INFINITY;
        double minDiff = Double.POSITIVE_INFINITY;
        for (double[] sample : new double[][] {x, y}) {
            for (double v : sample) {
                double diff = (double) countAtMost(x, v) / n1 - (double) countAtMost(y, v) / n2;
                maxDiff = Math.max(maxDiff, diff);
                minDiff = Math.min(minDiff, diff);
            }
        }
        double d = Math.max(maxDiff, Math.min(1.0, Math.max(0.0, -minDiff)));
        long g = gcd(n1, n2);
        Method mode = method;
        if (mode == Method.AUTO) {
            mode = Math.max(n1, n2) <= MAX_AUTO_N ? Method.EXACT : Method.ASYMP;
        } else if (mode == Method.EXACT && n1 / g >= Integer.MAX_VALUE / (double) (n2 / g)) {
            mode = Method.ASYMP;
        }
        if (mode == Method.EXACT) {
            long lcm = (n1 / g) * n2;
            long h = (long) Math.rint(d * lcm);
            double dLattice = (double) h / lcm;
            if (h == 0) {
                return new KsResult(dLattice, 1.0, Method.EXACT);
            }
            double p = n1 == n2 ? outsideSquare(n1, h) : outsideBand(n1, n2, g, h);
            if (p >= 0 && p <= 1) {
                return new KsResult(dLattice, p, Method.EXACT);
            }
            d = dLattice; // SciPy keeps the lattice value when it falls back
        }
        return new KsResult(d, asymptoticPValue(d, n1, n2), Method.ASYMP);
    }

    /**
     * SciPy's {@code method='asymp'} two-sided p-value: Pr(D_{n_e} ≥ d) for the <em>one-sample</em> statistic with
     * n_e = round(nm/(n+m)), i.e. {@code scipy.stats.kstwo.sf(d, round(en))} (SciPy ≥ 1.5), evaluated by the
     * Simard–L'Ecuyer (2011) selection of exact and asymptotic methods. Older SciPy used Kolmogorov's limit
     * {@link #kolmogorovSurvival}(√n_e · d) instead.
     */
    public static double asymptoticPValue(double d, int n1, int n2) {
        double m = Math.max(n1, n2);
        double n = Math.min(n1, n2);
        double en = Math.rint(m * n / (m + n));
        return FiniteKolmogorov.sf((int) en, d);
    }

    /**
     * Kolmogorov's limiting survival function ({@code scipy.stats.kstwobign.sf}) Q(λ) = Pr(K &gt; λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}, computed for
     * small λ from the Jacobi-theta form 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)} to avoid cancellation.
     */
    public static double kolmogorovSurvival(double lambda) {
        if (lambda <= 0) {
            return 1.0;
        }
        if (lambda < 1.0) {
            double w = -Math.PI * Math.PI / (8 * lambda * lambda);
            double sum = 0;
            for (int k = 1; k < 100; k++) {
                double term = Math.exp(w * (2 * k - 1) * (2 * k - 1));
                sum += term;
                if (term <= 1e-17 * sum) {
                    break;
                }
            }
            return clip(1.0 - Math.sqrt(2 * Math.PI) / lambda * sum);
        }
        double sum = 0;
        double sign = 1;
        for (int k = 1; k < 100; k++) {
            double term = Math.exp(-2.0 * k * k * lambda * lambda);
            sum += sign * term;
            if (term <= 1e-17 * Math.abs(sum)) {
                break;
            }
            sign = -sign;
        }
        return clip(2 * sum);
    }

    /**
     * Pr(D_{n,n} ≥ h/n) = 2 Σ_{k≥1} (−1)^{k−1} C(2n, n−kh)/C(2n, n), as 2·A₁(1 − A₂(1 − A₃(…))) where
     * A_k = C(2n, n−kh)/C(2n, n−(k−1)h) is a product of h simple factors.
     */
    static double outsideSquare(long n, long h) {
        double p = 0.0;
        for (long k = n / h; k >= 0; k--) {
            double a = 1.0;
            for (long j = 0; j < h; j++) {
                a = (n - k * h - j) * a / (n + k * h + j + 1);
            }
            p = a * (1.0 - p);
        }
        return 2 * p;
    }

    /**
     * The share of monotone lattice paths from (0, 0) to (m, n) that touch |n x − m y| ≥ h·g at some point,
     * by the column recursion A(x, y) = (x·A(x−1, y) + y·A(x, y−1))/(x + y) on the proportion of paths, with
     * A = 1 on and outside the band (Viehmann 2021). Only the window of y inside the band is kept per column.
     */
    static double outsideBand(long m0, long n0, long g, long h) {
        long m = Math.max(m0, n0);
        long n = Math.min(m0, n0);
        long mg = m / g;
        long ng = n / g;
        int minj = 0;
        int maxj = (int) Math.min((long) Math.ceil((double) h / mg), n + 1);
        int curlen = maxj - minj;
        int lenA = (int) Math.min(2L * maxj + 2, n + 1);
        double[] col = new double[lenA];
        Arrays.fill(col, 1.0);
        Arrays.fill(col, minj, maxj, 0.0);
        for (long i = 1; i <= m; i++) {
            int lastminj = minj;
            int lastlen = curlen;
            minj = (int) Math.min(Math.max((long) Math.floor((double) (ng * i - h) / mg) + 1, 0), n);
            maxj = (int) Math.min((long) Math.ceil((double) (ng * i + h) / mg), n + 1);
            if (maxj <= minj) {
                return 1.0;
            }
            double val = minj == 0 ? 0.0 : 1.0;
            for (int jj = 0; jj < maxj - minj; jj++) {
                int j = jj + minj;
                val = (col[jj + minj - lastminj] * i + val * j) / (i + j);
                col[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen) {
                Arrays.fill(col, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)), 1.0);
            }
        }
        return col[maxj - minj - 1];
    }

    private static int countAtMost(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static double clip(double p) {
        return Math.min(1.0, Math.max(0.0, p));
    }
}
