package dev.lethe.eval.stats;

/**
 * Survival function Pr(D_n ≥ x) of the two-sided one-sample Kolmogorov–Smirnov statistic for finite n, following
 * the algorithm selection of Simard &amp; L'Ecuyer (2011), "Computing the two-sided Kolmogorov–Smirnov
 * distribution", J. Stat. Softw. 39(11), as SciPy 1.10's {@code scipy.stats.kstwo.sf(x, n)} does: Ruben–Gambino
 * closed forms at the ends, Durbin's matrix (Marsaglia–Tsang–Wang 2003), Pomeranz's recursion (1974), the
 * Pelz–Good (1976) expansion, and twice the exact one-sided Smirnov tail (Birnbaum–Tingey 1951) where the two
 * one-sided events are practically disjoint. The branch thresholds and the Durbin, Pomeranz and Pelz–Good code
 * follow SciPy's {@code scipy/stats/_ksstats.py} (BSD-3-Clause, © the SciPy developers) step for step; the
 * Smirnov tail is summed here in log space rather than by SciPy's C routine.
 */
final class FiniteKolmogorov {
    private static final double SCALE = 0x1p128;
    private static final double UNSCALE = 0x1p-128;
    private static final double[] STIRLING = {-2.955065359477124183e-2, 6.4102564102564102564e-3,
        -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2};

    private FiniteKolmogorov() {}

    /** Pr(D_n ≥ x), clipped to [0, 1]. */
    static double sf(int n, double x) {
        if (x >= 1.0) {
            return 0.0;
        }
        if (x <= 0.0) {
            return 1.0;
        }
        double t = n * x;
        if (t <= 1.0) { // Ruben–Gambino: Pr(D_n ≤ x) = n!/n^n (2t − 1)^n for 1/(2n) ≤ x ≤ 1/n
            if (t <= 0.5) {
                return 1.0;
            }
            double cdf;
            if (n <= 140) {
                cdf = 1.0;
                for (int i = 1; i <= n; i++) {
                    cdf *= i * (1.0 / n) * (2 * t - 1);
                }
            } else {
                cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
            }
            return clip(1.0 - cdf);
        }
        if (t >= n - 1) { // Ruben–Gambino upper end
            return clip(2 * Math.pow(1.0 - x, n));
        }
        if (x >= 0.5) { // the one-sided events cannot both happen
            return clip(2 * smirnov(n, x));
        }
        double nxx = t * x;
        if (n <= 140) {
            if (nxx <= 0.754693) {
                return clip(1.0 - durbinMatrix(n, x));
            }
            if (nxx <= 4) {
                return clip(1.0 - pomeranz(n, x));
            }
            return clip(2 * smirnov(n, x));
        }
        if (nxx >= 370.0) {
            return 0.0;
        }
        if (nxx >= 2.2) {
            return clip(2 * smirnov(n, x));
        }
        double cdf;
        if (nxx >= 18.0) {
            cdf = 1.0;
        } else if (n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4) {
            cdf = durbinMatrix(n, x);
        } else {
            cdf = pelzGood(n, x);
        }
        return clip(1.0 - cdf);
    }

    /**
     * Exact one-sided tail Pr(D_n⁺ ≥ x) = x Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^{j−1} (1 − x − j/n)^{n−j}
     * (Birnbaum &amp; Tingey 1951), summed in log space; all terms are positive.
     */
    static double smirnov(int n, double x) {
        if (x <= 0) {
            return 1.0;
        }
        if (x >= 1) {
            return 0.0;
        }
        int last = (int) Math.floor(n * (1.0 - x));
        double logChoose = 0.0;
        double[] logTerms = new double[last + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= last; j++) {
            if (j > 0) {
                logChoose += Math.log((double) (n - j + 1) / j);
            }
            double e = x + (double) j / n;
            double rest = 1.0 - e;
            double lt;
            if (rest <= 0) {
                lt = n - j == 0 ? logChoose + (j - 1) * Math.log(e) : Double.NEGATIVE_INFINITY;
            } else {
                lt = logChoose + (j - 1) * Math.log(e) + (n - j) * Math.log(rest);
            }
            logTerms[j] = lt;
            max = Math.max(max, lt);
        }
        double sum = 0;
        for (double lt : logTerms) {
            sum += Math.exp(lt - max);
        }
        return x * Math.exp(max) * sum;
    }

    /**
     * Pr(D_n &lt; x) by Durbin's matrix method as Marsaglia, Tsang &amp; Wang (2003) arrange it: with
     * nx = k − h, the (k, k) entry of (n!/n^n) H^n for the (2k−1)-square matrix H, powers by squaring with
     * explicit binary exponents against overflow.
     */
    static double durbinMatrix(int n, double d) {
        if (d >= 1.0) {
            return 1.0;
        }
        double nd = n * d;
        if (nd <= 0.5) {
            return 0.0;
        }
        int k = (int) Math.ceil(nd);
        double h = k - nd;
        int m = 2 * k - 1;
        double[] v = new double[m];
        double[] w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++) {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.pow(h, j)) * fac;
        }
        double tt = Math.pow(Math.max(2 * h - 1.0, 0), m) - 2 * Math.pow(h, m);
        v[m - 1] = (1.0 + tt) * fac;
        double[][] hm = new double[m][m];
        for (int i = 1; i < m; i++) {
            for (int r = i - 1; r < m; r++) {
                hm[r][i] = w[r - i + 1];
            }
        }
        for (int r = 0; r < m; r++) {
            hm[r][0] = v[r];
        }
        for (int c = 0; c < m; c++) {
            hm[m - 1][c] = v[m - 1 - c];
        }
        double[][] power = new double[m][m];
        for (int i = 0; i < m; i++) {
            power[i][i] = 1.0;
        }
        int exponent = 0;
        int hExponent = 0;
        for (int nn = n; nn > 0; nn /= 2) {
            if (nn % 2 == 1) {
                power = multiply(power, hm);
                exponent += hExponent;
            }
            hm = multiply(hm, hm);
            hExponent *= 2;
            if (Math.abs(hm[k - 1][k - 1]) > SCALE) {
                scale(hm, UNSCALE);
                hExponent += 128;
            }
        }
        double p = power[k - 1][k - 1];
        for (int i = 1; i <= n; i++) {
            p = i * p / n;
            if (Math.abs(p) < UNSCALE) {
                p *= SCALE;
                exponent -= 128;
            }
        }
        return clip(Math.scalb(p, exponent));
    }

    /** Pr(D_n &lt; x) by Pomeranz's (1974) recursion over 2n + 1 rows of truncated Poisson convolutions. */
    static double pomeranz(int n, double x) {
        double t = n * x;
        int ll = (int) Math.floor(t);
        double f = t - ll;
        double g = Math.min(f, 1.0 - f);
        int ceilf = f > 0 ? 1 : 0;
        int roundf = f > 0.5 ? 1 : 0;
        int npwrs = 2 * (ll + 1);
        double[] gpower = new double[npwrs];
        double[] twogpower = new double[npwrs];
        double[] onem2gpower = new double[npwrs];
        gpower[0] = 1.0;
        twogpower[0] = 1.0;
        onem2gpower[0] = 1.0;
        for (int m = 1; m < npwrs; m++) {
            gpower[m] = gpower[m - 1] * (g / n) / m;
            twogpower[m] = twogpower[m - 1] * (2 * g / n) / m;
            onem2gpower[m] = onem2gpower[m - 1] * ((1 - 2 * g) / n) / m;
        }
        double[] v0 = new double[npwrs];
        double[] v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0;
        int v1s = 0;
        int exponent = 0;
        int[] j12 = pomeranzBounds(0, n, ll, ceilf, roundf);
        for (int i = 1; i < 2 * n + 2; i++) {
            int k1 = j12[0];
            double[] swap = v0;
            v0 = v1;
            v1 = swap;
            int swaps = v0s;
            v0s = v1s;
            v1s = swaps;
            java.util.Arrays.fill(v1, 0.0);
            j12 = pomeranzBounds(i, n, ll, ceilf, roundf);
            int j1 = j12[0];
            int j2 = j12[1];
            double[] pwrs = (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 == 1 ? twogpower : onem2gpower);
            int ln2 = j2 - k1 + 1;
            if (ln2 > 0) {
                int convStart = j1 - k1;
                int convLen = j2 - j1 + 1;
                int base = k1 - v0s;
                double max = 0;
                for (int c = 0; c < convLen; c++) {
                    int idx = convStart + c; // full convolution index of a = v0[base ..], b = pwrs
                    double s = 0;
                    for (int a = Math.max(0, idx - (ln2 - 1)); a <= Math.min(idx, ln2 - 1); a++) {
                        int src = base + a;
                        if (src >= 0 && src < npwrs && idx - a < npwrs) {
                            s += v0[src] * pwrs[idx - a];
                        }
                    }
                    v1[c] = s;
                    max = Math.max(max, s);
                }
                if (max > 0 && max < UNSCALE) {
                    scale(v1, SCALE);
                    exponent -= 128;
                }
                v1s = v0s + j1 - k1;
            }
        }
        double ans = v1[n - v1s];
        for (int m = 1; m <= n; m++) {
            if (Math.abs(ans) > SCALE) {
                ans *= UNSCALE;
                exponent += 128;
            }
            ans *= m;
        }
        return clip(Math.scalb(ans, exponent));
    }

    private static int[] pomeranzBounds(int i, int n, int ll, int ceilf, int roundf) {
        int j1;
        int j2;
        if (i == 0) {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        } else {
            int ip1div2 = (i + 1) / 2;
            int ip1mod2 = (i + 1) % 2;
            if (ip1mod2 == 0) {
                if (ip1div2 == n + 1) {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                } else {
                    j1 = ip1div2 - 1 - ll - roundf - 1;
                    j2 = ip1div2 + ll - 1 + ceilf - 1;
                }
            } else {
                j1 = ip1div2 - 1 - ll - 1;
                j2 = ip1div2 + ll + roundf - 1;
            }
        }
        return new int[] {Math.max(j1 + 2, 0), Math.min(j2, n)};
    }

    /**
     * Pelz &amp; Good's (1976) approximation Pr(D_n ≤ x) ≈ K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^{3/2}, z = x√n,
     * with each K written through Jacobi theta series that converge fast for small z.
     */
    static double pelzGood(int n, double x) {
        if (x <= 0.0) {
            return 0.0;
        }
        if (x >= 1.0) {
            return 1.0;
        }
        double pi2 = Math.PI * Math.PI;
        double pi4 = pi2 * pi2;
        double pi6 = pi4 * pi2;
        double z = Math.sqrt(n) * x;
        double z2 = z * z;
        double z3 = z2 * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double qlog = -pi2 / 8 / z2;
        if (qlog < -708) {
            return 0.0;
        }
        double q = Math.exp(qlog);
        double k1a = -z2;
        double k1b = pi2 / 4;
        double k2a = 6 * z6 + 2 * z4;
        double k2b = (2 * z4 - 5 * z2) * pi2 / 4;
        double k2c = pi4 * (1 - 2 * z2) / 16;
        double k3d = pi6 * (5 - 30 * z2) / 64;
        double k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
        double k3b = pi2 * (135 * z4 - 96 * z6) / 4;
        double k3a = -30 * z6 - 90 * Math.pow(z, 8);
        double[] kk = new double[4];
        int maxk = (int) Math.ceil(16 * z / Math.PI);
        for (int k = maxk; k > 0; k--) {
            double m = 2 * k - 1;
            double m2 = m * m;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double qpower = Math.pow(q, 8 * k);
            double[] coeffs = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6};
            for (int i = 0; i < 4; i++) {
                kk[i] = kk[i] * qpower + coeffs[i];
            }
        }
        double sqrt2pi = Math.sqrt(2 * Math.PI);
        double[] div = {z, 6 * z4, 72 * Math.pow(z, 7), 6480 * Math.pow(z, 10)};
        for (int i = 0; i < 4; i++) {
            kk[i] = kk[i] * q * sqrt2pi / div[i];
        }
        double q2 = Math.exp(-pi2 / 2 / z2);
        double k2extra = 0;
        double k3extra = 0;
        double sqrt3z = Math.sqrt(3) * z;
        for (int k = maxk; k > 0; k--) {
            double ksq = (double) k * k;
            double qp = Math.pow(q2, ksq);
            double kpi = Math.PI * k;
            k2extra += ksq * qp;
            k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * ksq * qp;
        }
        kk[2] += k2extra * pi2 * sqrt2pi / (-36 * z3);
        kk[3] += k3extra * pi2 * sqrt2pi / (216 * z6);
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            sum += kk[i] / Math.pow(n, i / 2.0);
        }
        return sum;
    }

    /** log(n!/n^n) by Stirling's series with n log n removed up front. */
    private static double logFactorialOverPower(int n) {
        double rn = 1.0 / n;
        double poly = 0;
        for (double c : STIRLING) {
            poly = poly * (rn / n) + c;
        }
        return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int m = a.length;
        double[][] c = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int l = 0; l < m; l++) {
                double ail = a[i][l];
                if (ail == 0) {
                    continue;
                }
                for (int j = 0; j < m; j++) {
                    c[i][j] += ail * b[l][j];
                }
            }
        }
        return c;
    }

    private static void scale(double[][] a, double s) {
        for (double[] row : a) {
            scale(row, s);
        }
    }

    private static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }

    private static double clip(double p) {
        return Math.min(1.0, Math.max(0.0, p));
    }
}
