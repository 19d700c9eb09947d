package dev.lethe.report;

import dev.lethe.data.Split;
import dev.lethe.eval.MarginSuite;
import dev.lethe.result.RunResult;
import java.util.List;

/**
 * KLoM, "KL divergence of margins" (Georgiev et al. 2024, "Attribute-to-Delete: Machine Unlearning via Datamodel
 * Matching", arXiv:2410.23232, §2, Eq. for KLoM; the authors' {@code compute_binned_KL_div} in
 * data-unlearning-bench's {@code src/eval.py}): unlearning is a random algorithm, and so is retraining; for each
 * point x, KLoM compares the <em>distribution</em> of its margin over N unlearned models (N runs of the method) with
 * the distribution over N oracles (N models retrained without the forget set):
 * <pre>
 *   KLoM(x) = KL( hist(margins of x under the N unlearned models) ‖ hist(margins of x under the N oracles) )   nats
 * </pre>
 * Margins ({@link MarginSuite}) are clipped to [−100, 100]; both histograms share 20 equal-width bins spanning the
 * pooled range of the 2N clipped values (a range of 0 widens to 1); counts become frequencies; an oracle bin that is
 * empty where the unlearned histogram is not is floored at 1e-5, and the oracle frequencies are then renormalised
 * (as {@code scipy.stats.entropy} does with its {@code qk}). 0 is ideal.
 *
 * <p>This differs from {@code kl_to_reference} ({@link ReferenceKl}), which is the KL between two single models'
 * next-token distributions: KLoM compares distributions over training randomness of one scalar per point, and needs
 * several runs of each side (the paper uses 100 of each). With N = 1 it degenerates: two single values land in the
 * first and the last bin of their own range, so KLoM(x) is 0 when the two margins are equal and
 * log((1 + 1e-5)/1e-5) ≈ 11.513 otherwise, a yes/no of exact equality that says nothing about closeness; use
 * {@code kl_to_reference} for one run. {@link #of} takes the N runs' results.
 *
 * <p>One deviation from the authors' code, which bins with {@code np.digitize}: a value equal to the pooled maximum
 * falls past the last bin there and is dropped from its histogram (every point loses at least one sample, and with
 * N = 1 the result is 11.5 or NaN depending on which side holds the maximum). Here the last bin includes its right
 * edge, as {@code np.histogram}'s does.
 */
public final class Klom {
    /** Bins of the shared histogram (the authors' 20). */
    public static final int BINS = 20;
    /** Margins are clipped to ±this (the authors' 100). */
    public static final double CLIP = 100;
    /** The floor of an empty oracle bin where the unlearned histogram has mass (the authors' 1e-5). */
    public static final double FLOOR = 1e-5;

    private Klom() {}

    /**
     * KLoM of each point: {@code unlearned[r][j]} is point j's margin under unlearned run r, {@code oracle[r][j]} under
     * oracle r (the same number of runs on both sides, at least one; the same points in the same order).
     *
     * @throws IllegalArgumentException when the shapes differ or there are no runs
     */
    public static double[] perPoint(double[][] unlearned, double[][] oracle) {
        if (unlearned.length == 0 || unlearned.length != oracle.length) {
            throw new IllegalArgumentException("KLoM needs the same number (at least 1) of unlearned and oracle runs, "
                    + "had " + unlearned.length + " and " + oracle.length);
        }
        int points = unlearned[0].length;
        for (int r = 0; r < unlearned.length; r++) {
            if (unlearned[r].length != points || oracle[r].length != points) {
                throw new IllegalArgumentException("KLoM: run " + r + " has " + unlearned[r].length + " unlearned and "
                        + oracle[r].length + " oracle margins, run 0 has " + points);
            }
        }
        double[] out = new double[points];
        double[] p = new double[unlearned.length];
        double[] q = new double[oracle.length];
        for (int j = 0; j < points; j++) {
            for (int r = 0; r < unlearned.length; r++) {
                p[r] = unlearned[r][j];
                q[r] = oracle[r][j];
            }
            out[j] = binnedKl(p, q);
        }
        return out;
    }

    /** KL(hist(p) ‖ hist(q)) in nats over shared bins, as the class comment says. */
    public static double binnedKl(double[] p, double[] q) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] side : new double[][] {p, q}) {
            for (double v : side) {
                double c = clip(v);
                lo = Math.min(lo, c);
                hi = Math.max(hi, c);
            }
        }
        if (lo >= hi) {
            hi = lo + 1;
        }
        double[] hp = histogram(p, lo, hi);
        double[] hq = histogram(q, lo, hi);
        double qTotal = 0;
        for (int b = 0; b < BINS; b++) {
            if (hp[b] > 0) {
                hq[b] = Math.max(hq[b], FLOOR);
            }
            qTotal += hq[b];
        }
        double kl = 0;
        for (int b = 0; b < BINS; b++) {
            if (hp[b] > 0) {
                kl += hp[b] * Math.log(hp[b] / (hq[b] / qTotal));
            }
        }
        return kl;
    }

    /** Frequencies of {@code values} (clipped) in {@link #BINS} equal bins of [lo, hi], the last one closed. */
    private static double[] histogram(double[] values, double lo, double hi) {
        double[] h = new double[BINS];
        double width = (hi - lo) / BINS;
        for (double v : values) {
            int b = (int) Math.floor((clip(v) - lo) / width);
            h[Math.min(Math.max(b, 0), BINS - 1)] += 1.0 / values.length;
        }
        return h;
    }

    private static double clip(double v) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException("KLoM: a margin is NaN");
        }
        return Math.max(-CLIP, Math.min(CLIP, v));
    }

    /**
     * KLoM of each example of {@code split} over N runs ({@code runs}, e.g. the same recipe with N seeds), each of
     * which measured the {@code margins} suite ({@link MarginSuite}) on {@code split} for the model called
     * {@code unlearned} (e.g. {@code unlearned}) and the one called {@code oracle} (e.g. {@code reference}).
     *
     * @throws IllegalArgumentException when a run has no per-example margins of one of the two models there
     */
    public static double[] of(List<RunResult> runs, String unlearned, String oracle, Split split) {
        double[][] u = new double[runs.size()][];
        double[][] o = new double[runs.size()][];
        for (int r = 0; r < runs.size(); r++) {
            u[r] = margins(runs.get(r), unlearned, split, r);
            o[r] = margins(runs.get(r), oracle, split, r);
        }
        return perPoint(u, o);
    }

    private static double[] margins(RunResult run, String model, Split split, int r) {
        try {
            return run.perExample(model, split, MarginSuite.MARGIN.name());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KLoM: run " + r + " has no per-example margins of the model '" + model
                    + "' on " + split.id() + "; evaluate both models with the margins suite", e);
        }
    }
}
