package dev.lethe.objective;

import dev.lethe.data.Split;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.StableUn;
import java.util.LinkedHashMap;
import java.util.Map;

/** Static vocabulary of objectives, for {@code import static dev.lethe.objective.Objectives.*}. */
public final class Objectives {
    private Objectives() {}

    /**
     * NLL of the answers of the retain split (the retain term of GradDiff, Liu et al. 2022); bind another
     * split with {@link Nll#on(Split)}: {@code nll().on(Split.WORLD)}.
     */
    public static Nll nll() {
        return new Nll(Split.RETAIN);
    }

    /** NLL of the answers of the union of {@code splits}. */
    public static Nll nll(Split... splits) {
        return new Nll(java.util.List.of(splits));
    }

    /** Gradient ascent on the forget split (Jang et al. 2023); {@link GradientAscent#on} binds another. */
    public static GradientAscent gradientAscent() {
        return new GradientAscent(Split.FORGET);
    }

    /** GradDiff with α = 1. */
    public static Objective gradDiff() {
        return new GradDiff(1.0);
    }

    /** GradDiff with retain weight {@code alpha}. */
    public static Objective gradDiff(double alpha) {
        return new GradDiff(alpha);
    }

    /** NPO with the paper's β = 0.1. */
    public static Objective npo() {
        return new Npo(0.1);
    }

    /** NPO with inverse temperature {@code beta}. */
    public static Objective npo(double beta) {
        return new Npo(beta);
    }

    /** SimNPO with β = 2.5, γ = 0 (Fan et al. 2024's TOFU setting). */
    public static Objective simNpo() {
        return new SimNpo(2.5, 0.0);
    }

    /** SimNPO with inverse temperature {@code beta} and margin {@code gamma}. */
    public static Objective simNpo(double beta, double gamma) {
        return new SimNpo(beta, gamma);
    }

    /** KL(π_ref ‖ π_θ) over the answer tokens of the retain split. */
    public static KlRetain klRetain() {
        return new KlRetain(Split.RETAIN);
    }

    /** KL(π_ref ‖ π_θ) over the answer tokens of {@code split}. */
    public static KlRetain klRetain(Split split) {
        return new KlRetain(split);
    }

    /** The inverted hinge loss (LoKU) on the forget split. */
    public static InvertedHinge invertedHinge() {
        return new InvertedHinge(Split.FORGET);
    }

    /** CATNIP-style confidence-weighted token-level NPO with β = 0.1, k = 1 (our defaults). */
    public static Objective catnipStyle() {
        return new CatnipStyle(0.1, 1.0);
    }

    /** CATNIP-style confidence-weighted token-level NPO with {@code beta} and exponent {@code k}. */
    public static Objective catnipStyle(double beta, double k) {
        return new CatnipStyle(beta, k);
    }

    /** NLL of a refusal template on the forget prompts (IdK). */
    public static Idk idk() {
        return new Idk(Split.FORGET);
    }

    /** DPO / IdkPO with β = 0.1. */
    public static Objective dpo() {
        return new Dpo(0.1);
    }

    /** DPO / IdkPO with inverse temperature {@code beta}. */
    public static Objective dpo(double beta) {
        return new Dpo(beta);
    }

    /** FLAT with the total-variation divergence (the paper's default). */
    public static Objective flat() {
        return new Flat(Flat.Divergence.TOTAL_VARIATION);
    }

    /** FLAT with {@code divergence}. */
    public static Objective flat(Flat.Divergence divergence) {
        return new Flat(divergence);
    }

    /**
     * RMU (Li et al. 2024, "The WMDP Benchmark", §5) with the paper's Zephyr-7B values: the middle layer,
     * steering coefficient c = 6.5, retain weight α = 100, seed 0. Tiny models need their own c and α.
     */
    public static Rmu rmu() {
        return new Rmu(Rmu.MIDDLE, 6.5, 100, 0);
    }

    /** RMU (Li et al. 2024, "The WMDP Benchmark", §5) steering block {@code layer}'s output. */
    public static Rmu rmu(int layer, double steeringCoefficient, double alpha, long seed) {
        return new Rmu(layer, steeringCoefficient, alpha, seed);
    }

    /**
     * Named objectives whose gradients {@code combiner} combines (see {@link CombinedObjective}: zeroth-order
     * estimators see the plain sum of the parts).
     */
    public static CombinedObjective combine(GradientCombiner combiner, Map<String, Objective> parts) {
        return new CombinedObjective(parts, combiner);
    }

    /**
     * {@code forget} and {@code retain} (parts named {@code "forget"} and {@code "retain"}) with the PCGrad
     * conflict projection (Yu et al. 2020, {@link ConflictProjection}): when the forget gradient points
     * against the retain gradient, its conflicting component is removed. In Kotlin:
     * {@code conflictProjection(npo(), klRetain() * 0.5)}.
     */
    public static CombinedObjective conflictProjection(Objective forget, Objective retain) {
        return combine(GradientCombiner.conflictProjection(), parts(forget, retain));
    }

    /**
     * StableUN (Wu et al. 2025, {@link StableUn}) with one adversarial neighbourhood point of radius
     * ρ = 0.05 (SAM's default radius; the paper's value is not known to us) and seed 0.
     */
    public static CombinedObjective stableUn(Objective forget, Objective retain) {
        return stableUn(forget, retain, 0.05, 1, 0);
    }

    /** StableUN (Wu et al. 2025, {@link StableUn}) with radius {@code rho} and {@code points} neighbourhood points. */
    public static CombinedObjective stableUn(Objective forget, Objective retain, double rho, int points, long seed) {
        return combine(GradientCombiner.stableUn(rho, points, seed), parts(forget, retain));
    }

    private static Map<String, Objective> parts(Objective forget, Objective retain) {
        Map<String, Objective> parts = new LinkedHashMap<>();
        parts.put(ConflictProjection.FORGET, forget);
        parts.put(ConflictProjection.RETAIN, retain);
        return parts;
    }

    /**
     * Concept-domain correction ({@link ConceptCorrection}) against the holdout split, on the last block's
     * output, with a discriminator of learning rate 0.05, weight decay 0.001, one update per step (our
     * defaults).
     */
    public static ConceptCorrection conceptCorrection() {
        return conceptCorrection(Split.HOLDOUT);
    }

    /** Concept-domain correction against {@code anchor}, otherwise as {@link #conceptCorrection()}. */
    public static ConceptCorrection conceptCorrection(Split anchor) {
        return new ConceptCorrection(anchor, ConceptCorrection.LAST, 0.05, 0.001, 1);
    }
}
