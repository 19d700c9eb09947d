package dev.lethe.objective;

import dev.lethe.data.Split;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.StableUn;
import dev.lethe.part.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static vocabulary of objectives, for {@code import static dev.lethe.objective.Objectives.*}; the factories
 * without arguments take their defaults from each objective's {@link Kind} ({@code npo()} is
 * {@code Npo.KIND.defaults()}), and {@link #KINDS} lists every objective a recipe file can name.
 */
public final class Objectives {
    private Objectives() {}

    /**
     * The objective slot's vocabulary, in the order {@code lethe list} shows it; writing tries the kinds in this
     * order, so a shorthand ({@code conflict_projection}, {@code stable_un}) comes before the general
     * {@code combined}. Adding an objective = its record with its {@code KIND}, its test, one line here.
     */
    public static final List<Kind<? extends Objective>> KINDS = List.of(
            GradientAscent.KIND,
            GradDiff.KIND,
            Npo.KIND,
            SimNpo.KIND,
            Idk.KIND,
            Dpo.KIND,
            Flat.KIND,
            KlRetain.KIND,
            InvertedHinge.KIND,
            CatnipStyle.KIND,
            Nll.KIND,
            Rmu.KIND,
            ConceptCorrection.KIND,
            Wga.KIND,
            Undial.KIND,
            SatImp.KIND,
            CeU.KIND,
            Pdu.KIND,
            AltPo.KIND,
            OracleMatching.KIND,
            DatamodelMatching.KIND,
            CombinedObjective.CONFLICT_PROJECTION,
            CombinedObjective.STABLE_UN,
            Objective.Sum.KIND,
            Objective.Scaled.KIND,
            CombinedObjective.KIND);

    /**
     * NLL of the answers of the retain split (the retain term of GradDiff, Liu et al. 2022); bind another
     * split with {@link Nll#on(Split)}: {@code nll().on(Split.WORLD)}.
     */
    public static Nll nll() {
        return Nll.KIND.defaults();
    }

    /** NLL of the answers of the union of {@code splits}. */
    public static Nll nll(Split... splits) {
        return new Nll(java.util.List.of(splits));
    }

    /** Gradient ascent on the forget split (Jang et al. 2023); {@link GradientAscent#on} binds another. */
    public static GradientAscent gradientAscent() {
        return GradientAscent.KIND.defaults();
    }

    /** GradDiff with {@link GradDiff#KIND}'s default α. */
    public static Objective gradDiff() {
        return GradDiff.KIND.defaults();
    }

    /** GradDiff with retain weight {@code alpha}. */
    public static Objective gradDiff(double alpha) {
        return new GradDiff(alpha);
    }

    /** NPO with {@link Npo#KIND}'s default β (the paper's). */
    public static Objective npo() {
        return Npo.KIND.defaults();
    }

    /** Weighted gradient ascent with open-unlearning's β = 1 ({@link Wga}). */
    public static Objective wga() {
        return Wga.KIND.defaults();
    }

    /** Weighted gradient ascent with confidence exponent {@code beta} ({@link Wga}). */
    public static Objective wga(double beta) {
        return new Wga(beta);
    }

    /** UNDIAL with open-unlearning's β = 10 ({@link Undial}). */
    public static Objective undial() {
        return Undial.KIND.defaults();
    }

    /** UNDIAL with logit adjustment {@code beta} ({@link Undial}). */
    public static Objective undial(double beta) {
        return new Undial(beta);
    }

    /** SatImp with open-unlearning's β1 = 5, β2 = 1 ({@link SatImp}). */
    public static Objective satImp() {
        return SatImp.KIND.defaults();
    }

    /** SatImp with exponents {@code beta1} and {@code beta2} ({@link SatImp}). */
    public static Objective satImp(double beta1, double beta2) {
        return new SatImp(beta1, beta2);
    }

    /** CE-U skipping the first answer token, as open-unlearning ({@link CeU}). */
    public static Objective ceU() {
        return CeU.KIND.defaults();
    }

    /** CE-U skipping the first {@code skip} answer tokens of each example ({@link CeU}). */
    public static Objective ceU(int skip) {
        return new CeU(skip);
    }

    /**
     * PDU with open-unlearning's TOFU settings: γ = 1, λ₀ = 100, η = 5, ε = 0.3, dual updates after half the
     * stage ({@link Pdu}). A new instance each call: λ is the instance's state.
     */
    public static Pdu pdu() {
        return Pdu.KIND.defaults();
    }

    /** PDU with retain-loss bound {@code epsilon}, otherwise as {@link #pdu()}. */
    public static Pdu pdu(double epsilon) {
        return Pdu.KIND.create(Map.of("epsilon", epsilon));
    }

    /** The AltPO term with the authors' sampling (5 alternates at temperature 1) and β = 0.1 ({@link AltPo}). */
    public static Objective altPo() {
        return AltPo.KIND.defaults();
    }

    /**
     * AltPO as the paper trains it: the AltPO term with inverse temperature {@code beta} plus {@code alpha} times the
     * NLL of the retain split ({@link AltPo}).
     */
    public static Objective altPo(double beta, double alpha) {
        return AltPo.KIND.create(Map.of("beta", beta)).plus(nll().times(alpha));
    }

    /**
     * Oracle matching (Georgiev et al. 2024, "Attribute-to-Delete", §3) with {@link OracleMatching#KIND}'s defaults:
     * MSE to the reference model's logits on the forget and retain answers, no proximity term.
     */
    public static OracleMatching oracleMatching() {
        return OracleMatching.KIND.defaults();
    }

    /**
     * Datamodel matching, DMM (Georgiev et al. 2024, "Attribute-to-Delete", §3) with {@link DatamodelMatching#KIND}'s
     * defaults: MSE to f_θ₀ − Σ_{i∈F} β on the forget and retain answers (m = 1); needs an attribute stage before.
     */
    public static DatamodelMatching datamodelMatching() {
        return DatamodelMatching.KIND.defaults();
    }

    /** NPO with inverse temperature {@code beta}. */
    public static Objective npo(double beta) {
        return new Npo(beta);
    }

    /** SimNPO with {@link SimNpo#KIND}'s defaults (Fan et al. 2024's TOFU setting). */
    public static Objective simNpo() {
        return SimNpo.KIND.defaults();
    }

    /** SimNPO with inverse temperature {@code beta} and margin {@code gamma} (the paper's γ). */
    public static Objective simNpo(double beta, double gamma) {
        return new SimNpo(beta, gamma);
    }

    /**
     * SimNPO as the official code and open-unlearning write it, −(2/β)·log σ(β·(avgNLL − δ)): the paper's
     * γ = β·δ ({@link SimNpo#ofCodeMargin}).
     */
    public static Objective simNpoCodeMargin(double beta, double delta) {
        return SimNpo.ofCodeMargin(beta, delta);
    }

    /** KL(π_ref ‖ π_θ) over the answer tokens of the retain split. */
    public static KlRetain klRetain() {
        return KlRetain.KIND.defaults();
    }

    /** KL(π_ref ‖ π_θ) over the answer tokens of {@code split}. */
    public static KlRetain klRetain(Split split) {
        return new KlRetain(split);
    }

    /** The inverted hinge loss (LoKU) on the forget split. */
    public static InvertedHinge invertedHinge() {
        return InvertedHinge.KIND.defaults();
    }

    /** CATNIP-style confidence-weighted token-level NPO with {@link CatnipStyle#KIND}'s defaults (ours). */
    public static Objective catnipStyle() {
        return CatnipStyle.KIND.defaults();
    }

    /** CATNIP-style confidence-weighted token-level NPO with {@code beta} and exponent {@code k}. */
    public static Objective catnipStyle(double beta, double k) {
        return new CatnipStyle(beta, k);
    }

    /** NLL of a refusal template on the forget prompts (IdK). */
    public static Idk idk() {
        return Idk.KIND.defaults();
    }

    /** DPO / IdkPO with {@link Dpo#KIND}'s default β. */
    public static Objective dpo() {
        return Dpo.KIND.defaults();
    }

    /** DPO / IdkPO with inverse temperature {@code beta}. */
    public static Objective dpo(double beta) {
        return new Dpo(beta);
    }

    /** FLAT with the total-variation divergence (the paper's default). */
    public static Objective flat() {
        return Flat.KIND.defaults();
    }

    /** FLAT with {@code divergence}, per example (the paper's form). */
    public static Objective flat(Flat.Divergence divergence) {
        return new Flat(divergence);
    }

    /**
     * FLAT with {@code divergence} applied where {@code pooling} says: {@link Flat.Pooling#BATCH} is the authors'
     * code (the activation of the batch-pooled probabilities).
     */
    public static Objective flat(Flat.Divergence divergence, Flat.Pooling pooling) {
        return new Flat(divergence, pooling);
    }

    /**
     * RMU (Li et al. 2024, "The WMDP Benchmark", §5) with {@link Rmu#KIND}'s defaults, the official Zephyr-7B
     * run's: a quarter of the depth (layer 8 of 32), c = 6.5, α = 1200; update
     * {@link Rmu#trainableParametersIn(int)}. Small models usually need their own c and α.
     */
    public static Rmu rmu() {
        return Rmu.KIND.defaults();
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
     * StableUN (Wu et al. 2025, {@link StableUn}) with {@link StableUn#KIND}'s defaults (one neighbourhood
     * point; ρ is SAM's default radius, the paper's value is not known to us).
     */
    public static CombinedObjective stableUn(Objective forget, Objective retain) {
        return combine(StableUn.KIND.defaults(), parts(forget, retain));
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
     * Concept-domain correction ({@link ConceptCorrection}) with {@link ConceptCorrection#KIND}'s defaults
     * (ours): against the holdout split, on the last block's output.
     */
    public static ConceptCorrection conceptCorrection() {
        return ConceptCorrection.KIND.defaults();
    }

    /** Concept-domain correction against {@code anchor}, otherwise as {@link #conceptCorrection()}. */
    public static ConceptCorrection conceptCorrection(Split anchor) {
        return ConceptCorrection.KIND.create(Map.of("anchor", anchor));
    }
}
