package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.anyLong;
import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.ParamTypes;
import dev.lethe.part.PartText;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Concept-domain correction, adapted to language models from concept erasure in diffusion models (DoCo: Wu et al.,
 * "Unlearning Concepts in Diffusion Model via Concept Domain Correction", the "diffusion seed paper"
 * of FORMULAS.md, whose domain correction trains an adversarial discriminator so that outputs for the erased
 * concept become indistinguishable from those for an anchor concept): a GAN min–max game between the trained
 * model and a small discriminator over the model's representation of a prompt.
 *
 * <p>Representation: the residual stream after block {@code layer} (by default the last,
 * {@link #LAST}), mean-pooled over the non-padding input positions of each example
 * ({@link dev.lethe.data.Batch#inputMask()}, as RMU): f = Σ_t m_t·h_t / Σ_t m_t, one width-W vector per
 * example. We chose hidden states over output distributions because they are W-dimensional instead of
 * vocabulary-sized, and the discriminator has to be cheap.
 *
 * <p>Anchor: by default the {@link Split#HOLDOUT} split, fictitious people the model never saw, so "make
 * the forget people look like the holdout people" means "make the model treat them as strangers"; any split
 * can be the anchor. The anchor features come from the <b>frozen reference</b>, the copy of the model taken
 * when the stage began ({@link Step#referenceHidden}), as in DoCo's reference code (the training script
 * {@code train_doco.py}: the anchor's outputs come from {@code frozen_unet}, a deep copy taken before training,
 * the erased concept's from the trained UNet): the anchor distribution is a fixed target that the trained model
 * cannot drag along while it moves.
 *
 * <p>Discriminator ({@link Adversary#LINEAR} by default, or {@link Adversary#MLP}): a
 * {@link LogisticDiscriminator} on the pooled features, or an {@link MlpDiscriminator} with {@code hidden}
 * units whose initial weights come from {@code seed}. Warm-up: during the first {@code warmup_steps} steps only
 * the discriminator trains and the loss is 0 with a zero gradient, as DoCo's {@code discrim_num_warmup_steps}
 * (500 in its README runs), which adds the generator loss only after the warm-up; an optimizer without decoupled
 * weight decay then leaves the weights as they are, while a retain term added with {@code plus} still trains
 * them (DoCo's retention loss does too).
 *
 * <p>The game, once per optimisation step (the first loss evaluation of each {@link Step#index()}: a
 * zeroth-order or SAM estimator evaluates the loss several times per step, and the discriminator must
 * move once): the discriminator takes {@code discriminatorSteps} gradient steps on the detached forget
 * (label 0) and anchor (label 1) features; then the generator loss, with that discriminator held fixed, is its
 * log-loss with the forget features' label flipped to "anchor":
 * <pre>
 *   L = mean_j −log σ(s(f_j)) = mean_j softplus(−s(f_j))
 * </pre>
 * nothing else: add a retain term with {@code plus}. The discriminator is trained without autograd because
 * DJL allows no nested {@code GradientCollector}; its state is Java doubles, so nothing native outlives a
 * step and nothing needs closing. A linear one starts at zero (the first step's loss is log 2 before the update)
 * and draws no random numbers; an MLP draws its initial weights from {@code seed}; either way a run is
 * deterministic. State is per instance: a fresh discriminator whenever the step index goes back (a new stage or
 * run); use one instance per concurrent run.
 *
 * <p>Equality is by configuration (anchor, layer, learning rate, weight decay, discriminator steps,
 * discriminator, hidden units, warm-up, seed), not by the discriminator's state: two instances built with the
 * same arguments are the same objective, as a recipe read back from its file is the same recipe.
 */
public final class ConceptCorrection implements Objective {
    /** The objective {@code concept_correction}. */
    public static final Kind<ConceptCorrection> KIND = Kind.of("concept_correction", ConceptCorrection.class,
            "concept-domain correction (DoCo, adapted): a GAN game against a linear or MLP discriminator of forget "
                    + "vs anchor representations, the anchor's from the frozen reference",
            List.of(Param.of("anchor", Split.TYPE, Split.HOLDOUT, "the split the forget split should look like",
                            ConceptCorrection::anchor),
                    Param.of("layer", ParamTypes.layer("last", ConceptCorrection.LAST, 0), ConceptCorrection.LAST,
                            "pooled block (1-based) or last", ConceptCorrection::layer),
                    Param.of("learning_rate", real(Range.positive()), 0.05, "discriminator learning rate η",
                            ConceptCorrection::learningRate),
                    Param.of("weight_decay", real(Range.nonNegative()), 0.001, "discriminator L2 penalty λ",
                            ConceptCorrection::weightDecay),
                    Param.of("discriminator_steps", integer(1), 1, "discriminator updates per step",
                            ConceptCorrection::discriminatorSteps),
                    Param.of("discriminator", choice(Adversary.class), Adversary.LINEAR,
                            "linear (logistic regression) or mlp (one hidden layer, leaky ReLU)",
                            ConceptCorrection::adversary),
                    Param.of("hidden", integer(1), 32, "hidden units of the mlp discriminator",
                            ConceptCorrection::hidden),
                    Param.of("warmup_steps", longInteger(0), 0L, "first steps that train only the discriminator "
                            + "(DoCo's discrim_num_warmup_steps)", ConceptCorrection::warmupSteps),
                    Param.of("seed", anyLong(), 0L, "seed of the mlp discriminator's initial weights",
                            ConceptCorrection::seed)),
            a -> new ConceptCorrection(a.get("anchor"), a.integer("layer"), a.real("learning_rate"),
                    a.real("weight_decay"), a.integer("discriminator_steps"), a.get("discriminator"),
                    a.integer("hidden"), a.longInteger("warmup_steps"), a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The layer value meaning "the last block", {@code step.layers()}. */
    public static final int LAST = -1;

    /** Which discriminator plays against the model. */
    public enum Adversary {
        /** A {@link LogisticDiscriminator}. */
        LINEAR,
        /** An {@link MlpDiscriminator}. */
        MLP
    }

    private final Split anchor;
    private final int layer;
    private final double learningRate;
    private final double weightDecay;
    private final int discriminatorSteps;
    private final Adversary adversary;
    private final int hidden;
    private final long warmupSteps;
    private final long seed;
    private final Discriminator discriminator;
    private long lastStep = -1;

    /**
     * A linear discriminator without warm-up.
     *
     * @param anchor the split whose representations the forget split's should become indistinguishable from
     * @param layer the block whose output is pooled (1-based as {@link Step#hidden}), or {@link #LAST}
     * @param learningRate the discriminator's learning rate η &gt; 0
     * @param weightDecay the discriminator's L2 penalty λ ≥ 0
     * @param discriminatorSteps discriminator updates per optimisation step, ≥ 1
     */
    public ConceptCorrection(Split anchor, int layer, double learningRate, double weightDecay, int discriminatorSteps) {
        this(anchor, layer, learningRate, weightDecay, discriminatorSteps, Adversary.LINEAR, 32, 0, 0);
    }

    /**
     * @param anchor the split whose representations the forget split's should become indistinguishable from
     * @param layer the block whose output is pooled (1-based as {@link Step#hidden}), or {@link #LAST}
     * @param learningRate the discriminator's learning rate η &gt; 0
     * @param weightDecay the discriminator's L2 penalty λ ≥ 0
     * @param discriminatorSteps discriminator updates per optimisation step, ≥ 1
     * @param adversary the discriminator's kind
     * @param hidden hidden units of an {@link Adversary#MLP} discriminator, ≥ 1
     * @param warmupSteps the first steps that train only the discriminator, ≥ 0
     * @param seed the seed of an MLP discriminator's initial weights
     */
    public ConceptCorrection(Split anchor, int layer, double learningRate, double weightDecay, int discriminatorSteps,
            Adversary adversary, int hidden, long warmupSteps, long seed) {
        if (anchor == Split.FORGET) {
            throw new IllegalArgumentException("the anchor of concept-domain correction must not be the forget split");
        }
        if (layer < 0 && layer != LAST) {
            throw new IllegalArgumentException("layer must be >= 0 or LAST, was " + layer);
        }
        if (discriminatorSteps < 1) {
            throw new IllegalArgumentException("discriminator steps must be >= 1, was " + discriminatorSteps);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, was " + warmupSteps);
        }
        this.anchor = anchor;
        this.layer = layer;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.discriminatorSteps = discriminatorSteps;
        this.adversary = Objects.requireNonNull(adversary, "adversary");
        this.hidden = hidden;
        this.warmupSteps = warmupSteps;
        this.seed = seed;
        this.discriminator = adversary == Adversary.LINEAR ? new LogisticDiscriminator(learningRate, weightDecay)
                : new MlpDiscriminator(hidden, learningRate, weightDecay, seed);
    }

    /** The anchor split. */
    public Split anchor() {
        return anchor;
    }

    /** The pooled block (1-based), or {@link #LAST}. */
    public int layer() {
        return layer;
    }

    /** The discriminator's learning rate η. */
    public double learningRate() {
        return learningRate;
    }

    /** The discriminator's L2 penalty λ. */
    public double weightDecay() {
        return weightDecay;
    }

    /** Discriminator updates per optimisation step. */
    public int discriminatorSteps() {
        return discriminatorSteps;
    }

    /** The discriminator's kind. */
    public Adversary adversary() {
        return adversary;
    }

    /** Hidden units of an MLP discriminator. */
    public int hidden() {
        return hidden;
    }

    /** The first steps that train only the discriminator. */
    public long warmupSteps() {
        return warmupSteps;
    }

    /** The seed of an MLP discriminator's initial weights. */
    public long seed() {
        return seed;
    }

    /** Equal configuration (see the class comment): the discriminator's state is not compared. */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ConceptCorrection c && anchor == c.anchor && layer == c.layer
                && Double.compare(learningRate, c.learningRate) == 0 && Double.compare(weightDecay, c.weightDecay) == 0
                && discriminatorSteps == c.discriminatorSteps && adversary == c.adversary && hidden == c.hidden
                && warmupSteps == c.warmupSteps && seed == c.seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(anchor, layer, learningRate, weightDecay, discriminatorSteps, adversary, hidden,
                warmupSteps, seed);
    }

    /** The discriminator this objective trains (its state, for inspection). */
    public Discriminator discriminator() {
        return discriminator;
    }

    /**
     * The discriminator's parameters ({@link Discriminator#state()}: {@code w}, {@code b} for a linear one) and
     * the last step it was trained at ({@code last_step}), so a resumed run trains it on exactly as before.
     */
    @Override
    public synchronized Map<String, double[]> state() {
        Map<String, double[]> out = new HashMap<>(discriminator.state());
        out.put("last_step", new double[] {lastStep});
        return Map.copyOf(out);
    }

    @Override
    public synchronized void restore(Map<String, double[]> state) {
        double[] last = state.get("last_step");
        if (last == null || last.length != 1) {
            throw new IllegalArgumentException("concept correction's state needs last_step (one value) and the "
                    + "discriminator's parameters, got " + state.keySet());
        }
        Map<String, double[]> parameters = new HashMap<>(state);
        parameters.remove("last_step");
        discriminator.restore(parameters);
        lastStep = (long) last[0];
    }

    @Override
    public NDArray loss(Step step) {
        int l = layer == LAST ? step.layers() : layer;
        NDArray forget = pooled(step.hidden(Split.FORGET, l), step.batch(Split.FORGET).inputMask());
        synchronized (this) {
            if (step.index() < lastStep) {
                discriminator.reset();
            }
            if (step.index() != lastStep) {
                NDArray anchorFeatures = pooled(step.referenceHidden(anchor, l), step.batch(anchor).inputMask());
                double[][] a = rows(anchorFeatures);
                double[][] f = rows(forget);
                for (int k = 0; k < discriminatorSteps; k++) {
                    discriminator.update(a, f);
                }
                lastStep = step.index();
            }
            if (step.index() < warmupSteps) {
                return Scalars.times(forget.sum(), 0);
            }
            return discriminator.generatorLoss(forget);
        }
    }

    /**
     * mean_j softplus(−(w·f_j + b)) for features {@code features} (B, W) with their graph, and a fixed
     * linear discriminator (w of length W, or empty for w = 0).
     */
    public static NDArray generatorLoss(NDArray features, double[] w, double b) {
        long width = features.getShape().get(1);
        NDArray logits;
        if (w.length == 0) {
            logits = Scalars.times(features.sum(new int[] {1}), 0);
        } else {
            if (w.length != width) {
                throw new IllegalArgumentException("discriminator of width " + w.length + " for features of width "
                        + width);
            }
            NDArray fromJava = features.getManager().create(w);
            NDArray wArray = fromJava.toType(features.getDataType(), true).duplicate();
            fromJava.close();
            logits = features.matMul(wArray.reshape(width, 1)).squeeze(1);
        }
        return Activation.softPlus(Scalars.plus(logits, b).neg()).mean();
    }

    /** Σ_t m_t·h_t / Σ_t m_t per row: hidden (B, T, W), mask (B, T) → (B, W). */
    static NDArray pooled(NDArray hidden, NDArray mask) {
        NDArray m = mask.toType(hidden.getDataType(), false);
        return hidden.mul(m.expandDims(2)).sum(new int[] {1}).div(m.sum(new int[] {1}, true));
    }

    /** The rows of {@code features} (B, W), detached, as Java doubles. */
    private static double[][] rows(NDArray features) {
        NDArray detached = features.stopGradient().toType(DataType.FLOAT64, false);
        int rows = (int) detached.getShape().get(0);
        int width = (int) detached.getShape().get(1);
        double[] flat = detached.toDoubleArray();
        double[][] out = new double[rows][width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * width, out[r], 0, width);
        }
        return out;
    }
}
