package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * PDU, primal-dual unlearning with a logit-margin flattening loss (Entesari et al. 2025, "Constrained Entropic
 * Unlearning: A Primal-Dual Framework for Large Language Models", arXiv:2506.05314, the constrained problem
 * min L_f s.t. L_r ≤ ε, its logit-margin flattening loss and its primal-dual algorithm; open-unlearning's
 * {@code PDU} trainer, which the formulas below were checked against). The forget loss drives each answer position's
 * logits z_t towards equal values, softmax-free:
 * <pre>
 *   L_f = (1/N)·Σ_t (max_v z_t(v) − mean_v z_t(v))²       over the N answer positions of the forget batch
 *   L_r = (1/M)·Σ_s −log p_θ(y_s | ·)                       NLL over the M answer tokens of the retain batch
 *   L   = γ·L_f + λ·(L_r − ε)
 * </pre>
 * with the dual variable λ ≥ 0 updated by projected dual ascent once per optimisation step after the warm-up,
 * λ ← max(0, λ + η·(L_r − ε)), from that step's L_r: the loss of step t uses λ_t, and λ_{t+1} is set from it.
 * Defaults: open-unlearning's TOFU settings ({@code community/methods/PDU/run.sh}): γ = 1, λ₀ = 100, η = 5, ε = 0.3,
 * dual updates from the end of epoch 5 of 10 (so {@code warmup: 0.5}). Its MUSE settings are λ₀ = 50, η = 1, warm-up
 * 3 epochs of 10, ε = 1.5 (News) or 0.1 (Books).
 *
 * <p><b>Deviations from open-unlearning.</b> (1) Its L_f averages over every position of the padded forget batch,
 * prompt and padding included; Lethe averages over the answer positions (the forget set's answers are what the
 * paper flattens). (2) Its warm-up is counted in epochs; Lethe's is the fraction {@code warmup} of the stage's
 * steps, so "5 of 10 epochs" is 0.5. (3) Its dual update runs at every loss computation, so per micro-batch under
 * gradient accumulation and once per process under data parallelism; Lethe's once per optimisation step (the first
 * loss evaluation of each {@link Step#index()}: zeroth-order and SAM estimators evaluate the loss several times per
 * step, and λ must move once), and the objective therefore refuses micro-batch accumulation. (4) L_r is the NLL
 * pooled over the retain batch's answer tokens, as open-unlearning's (Hugging Face's token mean), not Lethe's
 * per-example {@link Nll}: ε is a threshold on that quantity. The paper writes L_r per sequence; we follow the code,
 * whose ε values are the published ones.
 *
 * <p>λ is state ({@link #state()}: {@code lambda}, the value for the step after {@code last_step}), checkpointed
 * with the run so a resumed run continues with the same λ. It starts again from λ₀ whenever the step index goes back
 * (a new stage or run); use one instance per concurrent run. Equality is by configuration, not by λ.
 */
public final class Pdu implements Objective {
    /** The objective {@code pdu}. */
    public static final Kind<Pdu> KIND = Kind.of("pdu", Pdu.class,
            "PDU: logit-margin flattening on the forget answers with a retain-NLL constraint L_r ≤ ε enforced by "
                    + "dual ascent on λ (Entesari et al. 2025)",
            List.of(Param.of("gamma", real(Range.positive()), 1.0, "weight γ of the forget loss", Pdu::gamma),
                    Param.of("lambda", real(Range.nonNegative()), 100.0, "initial dual variable λ₀ (TOFU: 100)",
                            Pdu::initialLambda),
                    Param.of("dual_step", real(Range.nonNegative()), 5.0, "dual step size η (TOFU: 5)",
                            Pdu::dualStep),
                    Param.of("epsilon", real(Range.any()), 0.3, "retain-loss bound ε (TOFU: 0.3)", Pdu::epsilon),
                    Param.of("warmup", real(Range.closed(0, 1)), 0.5, "fraction of the stage's steps before λ moves "
                            + "(TOFU: 5 of 10 epochs)", Pdu::warmup)),
            a -> new Pdu(a.real("gamma"), a.real("lambda"), a.real("dual_step"), a.real("epsilon"), a.real("warmup")));

    private final double gamma;
    private final double initialLambda;
    private final double dualStep;
    private final double epsilon;
    private final double warmup;
    private double lambda;
    private double nextLambda;
    private long lastStep = -1;

    /**
     * @param gamma weight γ &gt; 0 of the forget loss
     * @param initialLambda λ₀ ≥ 0
     * @param dualStep dual step size η ≥ 0 (0 keeps λ = λ₀: a fixed-weight GradDiff with the flattening loss)
     * @param epsilon the retain-loss bound ε
     * @param warmup fraction in [0, 1] of the stage's steps during which λ stays at λ₀
     */
    public Pdu(double gamma, double initialLambda, double dualStep, double epsilon, double warmup) {
        if (!(gamma > 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("PDU gamma must be finite and > 0, was " + gamma);
        }
        if (!(initialLambda >= 0) || !Double.isFinite(initialLambda)) {
            throw new IllegalArgumentException("PDU lambda must be finite and >= 0, was " + initialLambda);
        }
        if (!(dualStep >= 0) || !Double.isFinite(dualStep)) {
            throw new IllegalArgumentException("PDU dual_step must be finite and >= 0, was " + dualStep);
        }
        if (!Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("PDU epsilon must be finite, was " + epsilon);
        }
        if (!(warmup >= 0 && warmup <= 1)) {
            throw new IllegalArgumentException("PDU warmup must be a fraction in [0, 1], was " + warmup);
        }
        this.gamma = gamma;
        this.initialLambda = initialLambda;
        this.dualStep = dualStep;
        this.epsilon = epsilon;
        this.warmup = warmup;
        this.lambda = initialLambda;
        this.nextLambda = initialLambda;
    }

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The weight γ of the forget loss. */
    public double gamma() {
        return gamma;
    }

    /** The initial dual variable λ₀. */
    public double initialLambda() {
        return initialLambda;
    }

    /** The dual step size η. */
    public double dualStep() {
        return dualStep;
    }

    /** The retain-loss bound ε. */
    public double epsilon() {
        return epsilon;
    }

    /** The fraction of the stage's steps before λ moves. */
    public double warmup() {
        return warmup;
    }

    /** The dual variable λ the next new step will use. */
    public synchronized double lambda() {
        return nextLambda;
    }

    /** Equal configuration (see the class comment): λ is not compared. */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Pdu p && Double.compare(gamma, p.gamma) == 0
                && Double.compare(initialLambda, p.initialLambda) == 0 && Double.compare(dualStep, p.dualStep) == 0
                && Double.compare(epsilon, p.epsilon) == 0 && Double.compare(warmup, p.warmup) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(gamma, initialLambda, dualStep, epsilon, warmup);
    }

    /** λ for the step after {@code last_step}, and {@code last_step}. */
    @Override
    public synchronized Map<String, double[]> state() {
        return Map.of("lambda", new double[] {nextLambda}, "last_step", new double[] {lastStep});
    }

    @Override
    public synchronized void restore(Map<String, double[]> state) {
        double[] l = state.get("lambda");
        double[] last = state.get("last_step");
        if (state.size() != 2 || l == null || l.length != 1 || last == null || last.length != 1) {
            throw new IllegalArgumentException("PDU's state is lambda and last_step (one value each), got "
                    + state.keySet());
        }
        nextLambda = l[0];
        lambda = l[0];
        lastStep = (long) last[0];
    }

    @Override
    public NDArray loss(Step step) {
        NDArray forget = flattening(step.scores(Split.FORGET));
        TokenScores retain = step.scores(Split.RETAIN);
        NDArray slack = Scalars.plus(retain.tokenLogProbs().sum().div(retain.mask().sum()).neg(), -epsilon);
        double weight;
        synchronized (this) {
            if (step.index() < lastStep) {
                nextLambda = initialLambda;
            }
            if (step.index() != lastStep) {
                lambda = nextLambda;
                lastStep = step.index();
                if (step.index() >= Math.ceil(warmup * step.totalSteps())) {
                    double s = slack.stopGradient().toType(DataType.FLOAT64, false).getDouble();
                    nextLambda = Math.max(0, lambda + dualStep * s);
                }
            }
            weight = lambda;
        }
        return Scalars.times(forget, gamma).add(Scalars.times(slack, weight));
    }

    /** (1/N)·Σ_t (max_v z_t − mean_v z_t)² over the answer positions of {@code scores}. */
    static NDArray flattening(TokenScores scores) {
        NDArray logits = scores.output().logits();
        NDArray margin = logits.max(new int[] {-1}).sub(logits.mean(new int[] {-1}));
        return SoftTargets.maskedMean(margin.square(), scores.mask());
    }
}
