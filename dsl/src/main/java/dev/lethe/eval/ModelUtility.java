package dev.lethe.eval;

import dev.lethe.data.Split;
import dev.lethe.eval.stats.Aggregates;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * TOFU's model utility (Maini et al. 2024, "TOFU: A Task of Fictitious Unlearning for LLMs", §2.5.2;
 * open-unlearning's {@code model_utility}): the harmonic mean of nine numbers, {@link #PARTS} ({@link TofuSuite}'s
 * probability, ROUGE-L recall and truth ratio) on each of {@link #SPLITS} (retain, real authors, world facts). On
 * retain the probability is exp(−avgNLL) of the answer and the truth ratio compares the paraphrased answer with the
 * perturbed ones; on real authors and world facts the probability is normalised, P̃(answer) / (P̃(answer) + Σ
 * P̃(wrong)). The harmonic mean is 0 as soon as one part is 0: a model that lost one kind of knowledge has no
 * utility.
 *
 * <p>The value exists only when all nine were measured (the {@code tofu} suite on the three splits, with perturbed
 * answers for the truth ratio); {@link #missing} says which are not, for the note a run prints instead.
 */
public final class ModelUtility {
    /** The splits, in TOFU's order. */
    public static final List<Split> SPLITS = List.of(Split.RETAIN, Split.REAL_AUTHORS, Split.WORLD);
    /** The three metrics per split. */
    public static final List<Metric> PARTS = List.of(TofuSuite.PROBABILITY, TofuSuite.ROUGE_L_RECALL,
            TofuSuite.TRUTH_RATIO);
    /** The span the value is reported on, in a run's {@code split} column: {@code retain+real_authors+world}. */
    public static final String SPAN = String.join("+", SPLITS.stream().map(Split::id).toList());

    private ModelUtility() {}

    /**
     * The harmonic mean of the nine parts, each in [0, 1], in the order {@link #SPLITS} × {@link #PARTS}.
     *
     * @throws IllegalArgumentException unless there are nine values, each in [0, 1]
     */
    public static double of(double... parts) {
        if (parts.length != SPLITS.size() * PARTS.size()) {
            throw new IllegalArgumentException("model utility has " + SPLITS.size() * PARTS.size() + " parts, got "
                    + parts.length);
        }
        for (double p : parts) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("a model-utility part must be in [0, 1], got " + p);
            }
        }
        return Aggregates.harmonicMean(parts);
    }

    /**
     * The model utility from {@code value} (split, metric name → value, or null when not measured), or null when
     * a part is missing ({@link #missing}).
     */
    public static @Nullable Double of(BiFunction<Split, String, @Nullable Double> value) {
        double[] parts = new double[SPLITS.size() * PARTS.size()];
        int k = 0;
        for (Split s : SPLITS) {
            for (Metric m : PARTS) {
                @Nullable Double v = value.apply(s, m.name());
                if (v == null || Double.isNaN(v)) {
                    return null;
                }
                parts[k++] = v;
            }
        }
        return of(parts);
    }

    /**
     * The parts {@code value} lacks, as {@code split} (all three metrics missing) or {@code split metric}, e.g.
     * [{@code real_authors}, {@code retain truth_ratio}]; empty when the utility can be computed.
     */
    public static List<String> missing(BiFunction<Split, String, @Nullable Double> value) {
        List<String> out = new ArrayList<>();
        for (Split s : SPLITS) {
            List<String> lacking = new ArrayList<>();
            for (Metric m : PARTS) {
                @Nullable Double v = value.apply(s, m.name());
                if (v == null || Double.isNaN(v)) {
                    lacking.add(s.id() + " " + m.name());
                }
            }
            if (lacking.size() == PARTS.size()) {
                out.add(s.id());
            } else {
                out.addAll(lacking);
            }
        }
        return out;
    }

    /**
     * The two lines a run prints when a model measured some of the parts but not all: what is missing and what
     * gives it, e.g. {@code model_utility not reported: no real_authors}, then that it needs the tofu suite on the
     * three splits.
     */
    public static String note(List<String> missing) {
        return "model_utility not reported: no " + String.join(", ", missing)
                + "\n  (it needs the tofu suite on retain, real_authors and world, with perturbed answers)";
    }
}
