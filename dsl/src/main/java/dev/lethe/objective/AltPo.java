package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.anyLong;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * AltPO, alternate preference optimisation (Mekala et al. 2025, "Alternate Preference Optimization for Unlearning
 * Factual Knowledge in Large Language Models", COLING 2025, arXiv:2409.13474, its AltPO loss, equation numbers not
 * checked: DPO, Rafailov et al. 2023, eq. 7,
 * with the model's own alternate answers preferred to the forget answer; the authors' code, {@code dataloader.py}
 * loss {@code dpo} on their alternate dataset, and open-unlearning's {@code community/methods/AltPO}, whose
 * {@code compute_dpo_loss} the formula below was checked against). With
 * {@code Δ(y) = log π_θ(y|x) − log π_ref(y|x)} (sequence log-probabilities summed over answer tokens and
 * {@code <eos>}), ỹ_k the k-th of K alternate answers of the example and y_f its forget answer:
 * <pre>
 *   L = mean over the forget batch's examples of (1/K)·Σ_k −(2/β)·log σ(β·[Δ(ỹ_k) − Δ(y_f)])
 * </pre>
 * computed stably as (2/β)·softplus(−β·margin). The paper's full objective adds α·NLL on the retain set (its grid:
 * α ∈ {1, 2, 5}, β ∈ {0.05, 0.1, 0.5}): {@code altPo().plus(nll().times(α))}, or {@link Objectives#altPo(double,
 * double)}.
 *
 * <p><b>The alternates</b> are sampled from the frozen reference, the model the stage started from
 * ({@link Step#alternateBatch}, {@link Alternates}), as the authors' {@code generate.py} samples them once before
 * unlearning from the model to unlearn: the model is shown the question and its answer and asked to "write another
 * version of the answer with some alternate plausible facts" (their Llama-2 prompt, {@code INST_QAS_TEMPLATE_QUERY};
 * the tokenizer's chat template, where it has one, plays the {@code [INST]} markers), K = 5 samples at temperature
 * 1, at most 200 new tokens ({@code repeats: 5}, {@code do_sample: True}, {@code temperature: 1.0},
 * {@code max_new_tokens: 200}), each cut at "Question:" or "Q:", stripped and encoded as an answer to the question.
 * Lethe samples an example's alternates the first time it is drawn, seeded from {@code seed} and the request's text,
 * so they are exactly the ones a sampling pass before training would give (the reference does not change),
 * independent of batch order, and sampled again identically by a resumed run: runs stay bit-reproducible. Continuing
 * the plain question instead would make a model that has memorised the answer sample that answer again: chosen and
 * rejected then coincide and the loss has no gradient.
 *
 * <p><b>Deviations from the authors' and open-unlearning's code.</b> (1) They write each (question, alternate) as its
 * own training row (5 rows per question, shuffled); Lethe averages an example's DPO term over its K alternates within
 * one step, the same expectation, with each question weighed once per draw. (2) The request is cut from the left to
 * leave half the model's context for the answer (a small model's context cannot hold it whole), and new tokens are
 * capped at half the context. (3) Their Llama-3 runs use a longer instruction; Lethe uses the Llama-2 one for every
 * model.
 *
 * @param beta inverse temperature β &gt; 0; 0.1 by default (the middle of the authors' grid)
 * @param samples alternates per question K ≥ 1; 5 as the authors
 * @param maxNewTokens the longest alternate, ≥ 1; 200 as the authors
 * @param temperature the sampling temperature &gt; 0; 1 as the authors
 * @param seed seed of the alternates' sampling
 */
public record AltPo(double beta, int samples, int maxNewTokens, double temperature, long seed)
        implements Objective.ExampleMean {
    /** The objective {@code altpo}. */
    public static final Kind<AltPo> KIND = Kind.of("altpo", AltPo.class,
            "AltPO: DPO preferring the reference model's own sampled alternate answers to the forget answer "
                    + "(Mekala et al. 2025, COLING)",
            List.of(Param.of("beta", real(Range.positive()), 0.1, "inverse temperature β", AltPo::beta),
                    Param.of("samples", integer(1), 5, "alternate answers per question K", AltPo::samples),
                    Param.of("max_new_tokens", integer(1), 200, "the longest alternate answer",
                            AltPo::maxNewTokens),
                    Param.of("temperature", real(Range.positive()), 1.0, "sampling temperature",
                            AltPo::temperature),
                    Param.of("seed", anyLong(), 0L, "seed of the alternates' sampling", AltPo::seed)),
            a -> new AltPo(a.real("beta"), a.integer("samples"), a.integer("max_new_tokens"), a.real("temperature"),
                    a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β and the sampling settings. */
    public AltPo {
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("AltPO beta must be finite and > 0, was " + beta);
        }
        new Alternates(samples, maxNewTokens, temperature, seed); // validates the sampling settings
    }

    /** How the alternates are sampled. */
    public Alternates alternates() {
        return new Alternates(samples, maxNewTokens, temperature, seed);
    }

    /** Averages over the forget batch's examples (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(Split.FORGET);
    }

    @Override
    public NDArray loss(Step step) {
        Alternates alternates = alternates();
        NDArray rejected = step.scores(Split.FORGET).sequenceLogProb()
                .sub(step.referenceScores(Split.FORGET).sequenceLogProb());
        NDArray chosen = step.alternateScores(Split.FORGET, alternates).sequenceLogProb()
                .sub(step.referenceAlternateScores(Split.FORGET, alternates).sequenceLogProb());
        // row b·K + k of the alternates faces example b's forget answer
        NDArray margin = chosen.reshape(-1, samples).sub(rejected.reshape(-1, 1));
        return Scalars.times(Activation.softPlus(Scalars.times(margin, -beta)).mean(), 2.0 / beta);
    }
}
