package dev.lethe.objective;

import dev.lethe.data.Split;

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
}
