package dev.lethe.adapter;

/**
 * The leading singular triplets of a small dense matrix, computed in Java in double precision by one-sided
 * Jacobi rotations (Hestenes 1958; Demmel and Veselić 1992, "Jacobi's method is more accurate than QR"):
 * the columns of the matrix (or of its transpose, whichever has fewer) are rotated pairwise until they are
 * mutually orthogonal; their norms are then the singular values. DJL 0.36 has no SVD, and the projections
 * of the models Lethe trains are at most a few hundred wide, where this takes milliseconds; it costs
 * O(min(m,n)²·max(m,n)) per sweep, so it is not meant for GPT-2-small-sized matrices. Deterministic: no
 * random start, unlike the randomised {@code torch.svd_lowrank} that LoKU's code calls.
 *
 * @param u left singular vectors, m × r, column k in {@code u[i][k]}
 * @param s singular values, descending, length r
 * @param v right singular vectors, n × r, column k in {@code v[j][k]}
 */
record TruncatedSvd(double[][] u, double[] s, double[][] v) {
    private static final int MAX_SWEEPS = 100;
    private static final double TOLERANCE = 1e-15;

    /** The {@code rank} leading singular triplets of the m × n matrix {@code m} (row-major). */
    static TruncatedSvd of(double[][] m, int rank) {
        int rows = m.length;
        int cols = rows == 0 ? 0 : m[0].length;
        if (rank < 1 || rank > Math.min(rows, cols)) {
            throw new IllegalArgumentException("rank must be in [1, " + Math.min(rows, cols) + "] for a " + rows
                    + " × " + cols + " matrix, was " + rank);
        }
        if (cols <= rows) {
            return jacobi(m, rows, cols, rank, false);
        }
        TruncatedSvd t = jacobi(m, cols, rows, rank, true);
        return new TruncatedSvd(t.v, t.s, t.u);
    }

    /**
     * One-sided Jacobi on the n columns (n ≤ m) of {@code m}, or of its transpose when {@code transposed}:
     * rotating columns p and q by the angle that zeroes their inner product keeps {@code M·V} fixed as a
     * product and drives it to {@code U·Σ}.
     */
    private static TruncatedSvd jacobi(double[][] source, int m, int n, int rank, boolean transposed) {
        double[][] col = new double[n][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                col[j][i] = transposed ? source[j][i] : source[i][j];
            }
        }
        double[][] vt = new double[n][n];
        for (int j = 0; j < n; j++) {
            vt[j][j] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = dot(col[p], col[p]);
                    double beta = dot(col[q], col[q]);
                    double gamma = dot(col[p], col[q]);
                    if (Math.abs(gamma) <= TOLERANCE * Math.sqrt(alpha * beta) || gamma == 0) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t);
                    double sn = c * t;
                    rotate(col[p], col[q], c, sn);
                    rotate(vt[p], vt[q], c, sn);
                }
            }
            if (!rotated) {
                break;
            }
        }
        Integer[] order = new Integer[n];
        double[] norms = new double[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
            norms[j] = Math.sqrt(dot(col[j], col[j]));
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(norms[y], norms[x]));
        double[][] u = new double[m][rank];
        double[][] v = new double[n][rank];
        double[] s = new double[rank];
        for (int k = 0; k < rank; k++) {
            int j = order[k];
            s[k] = norms[j];
            for (int i = 0; i < m; i++) {
                u[i][k] = norms[j] == 0 ? 0 : col[j][i] / norms[j];
            }
            for (int i = 0; i < n; i++) {
                v[i][k] = vt[j][i];
            }
        }
        return new TruncatedSvd(u, s, v);
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    /** (x, y) ← (c·x − s·y, s·x + c·y). */
    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double a = x[i];
            double b = y[i];
            x[i] = c * a - s * b;
            y[i] = s * a + c * b;
        }
    }
}
