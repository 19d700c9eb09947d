package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * The KL retain term (Maini et al. 2024, "TOFU", §5 "KL Minimization"; the retain regulariser of NPO,
 * Zhang et al. 2024, §5): the forward KL divergence from the frozen reference's next-token distribution to
 * the trained model's, {@code KL(π_ref ‖ π_θ) = Σ_v p_ref(v)·(log p_ref(v) − log p_θ(v))}, computed from the
 * full logits at every answer position of this step's batch of {@code split}, and averaged over those
 * positions: {@code L = Σ_{b,t} m_{b,t}·KL_{b,t} / Σ_{b,t} m_{b,t}}. The mask m is the batch's answer mask
 * (answer tokens and {@code <eos>}), so prompt and padding positions count for nothing, unlike a public
 * implementation that averages over padding too (FORMULAS.md, "Known discrepancies").
 *
 * @param split the split to keep close to the reference, usually {@link Split#RETAIN}
 */
public record KlRetain(Split split) implements SplitObjective, Objective.TokenMean {
    /** The objective {@code kl_retain}. */
    public static final Kind<KlRetain> KIND = Kind.of("kl_retain", KlRetain.class,
            "KL(π_ref ‖ π_θ) on the split's answers",
            List.of(Param.of("split", Split.TYPE, Split.RETAIN, "the split whose batch it reads",
                    KlRetain::split)),
            a -> new KlRetain(a.get("split")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The same objective on {@code other}'s batch. */
    @Override
    public KlRetain on(Split other) {
        return new KlRetain(other);
    }

    /** Averages over the answer tokens of {@link #split()} (accumulates over micro-batches). */
    @Override
    public Split tokensOf() {
        return split;
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores trained = step.scores(split);
        NDArray mask = trained.mask();
        NDArray logP = trained.output().logits().logSoftmax(-1);
        NDArray logRef = step.referenceScores(split).output().logits().logSoftmax(-1).stopGradient();
        NDArray kl = logRef.exp().mul(logRef.sub(logP)).sum(new int[] {-1});
        return kl.mul(mask).sum().div(mask.sum());
    }
}
