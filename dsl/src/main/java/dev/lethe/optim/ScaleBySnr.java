package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Scales the step by the gradient's signal-to-noise ratio ("OBLR-style": after Huang, Sheng, Zheng 2025,
 * "OBLR-PO: A Theoretical Framework for Stable Reinforcement Learning", arXiv 2511.23310, whose learning rate
 * is governed by the SNR of the step's gradient estimator). Two estimates of the noise:
 * <ul>
 *   <li>{@link Noise#ACROSS_STEPS} (the default, as before issue 16): over the last {@code window} incoming
 *       gradients g₁..g_n (n ≤ window), ḡ = (1/n)Σ gᵢ and SNR = ‖ḡ‖² / ((1/n)Σ ‖gᵢ − ḡ‖²) (all parameters
 *       together). The weights move between those steps, so the gradients' drift counts as noise too. Until
 *       two gradients have been seen the updates pass through unscaled. Keeps copies of the last
 *       {@code window} gradients (window × the parameter memory).</li>
 *   <li>{@link Noise#WITHIN_STEP}: SNR = ‖g‖²/σ², σ² the variance of this step's gradient g estimated from
 *       its micro-batches at the same weights ({@link LossOracle#withWithinStepVariance()}): no drift, and no
 *       history to keep. Needs a stage with {@code accumulate} ≥ 2 and a first-order estimator whose gradient
 *       reaches this transform (a plain objective: a combined objective's direction has no such estimate).</li>
 * </ul>
 * and two forms of the factor: {@link Form#CLIPPED}, u ← min(SNR, maxScale)·u (as before issue 16), or
 * {@link Form#RATIO}, u ← SNR/(1 + SNR)·u ∈ [0, 1). The ratio is the step that minimises the standard bound
 * for an L-smooth loss with an unbiased gradient estimate of variance σ²: E L(θ − ηg) ≤ L(θ) − η‖∇L‖² +
 * (Lη²/2)(‖∇L‖² + σ²) is smallest at η = (1/L)·‖∇L‖²/(‖∇L‖² + σ²) = (1/L)·SNR/(1 + SNR), so the chain's rate
 * plays 1/L. Which OBLR-PO uses: its abstract describes a rate "governed by the SNR of gradients" derived
 * from such a loss bound, with the noise being the variance of the policy-gradient estimator over the
 * samples of one step, i.e. within-step noise in the ratio form; we did not read its exact formula (no code
 * is published), so {@code within_step} + {@code ratio} is our reading of it, and the defaults keep the
 * earlier behaviour. Put it before {@link ScaleByLearningRate}, so that η_t = η·factor.
 *
 * @param window how many recent gradients estimate the SNR across steps (≥ 2; unused within a step)
 * @param maxScale the largest factor applied in the clipped form (SNR is unbounded when the gradients agree)
 * @param noise across steps or within the step
 * @param form clipped SNR or SNR/(1 + SNR)
 */
public record ScaleBySnr(int window, double maxScale, Noise noise, Form form) implements Transform {
    /** Where the noise is measured. */
    public enum Noise {
        /** The spread of the last {@code window} steps' gradients: drift counts as noise. */
        ACROSS_STEPS,
        /** The variance of this step's gradient, from its micro-batches at the same weights. */
        WITHIN_STEP
    }

    /** How the SNR becomes a factor. */
    public enum Form {
        /** min(SNR, maxScale). */
        CLIPPED,
        /** SNR/(1 + SNR). */
        RATIO
    }

    /** The transform {@code scale_by_snr}. */
    public static final Kind<ScaleBySnr> KIND = Kind.of("scale_by_snr", ScaleBySnr.class,
            "scale by the gradient's signal-to-noise ratio (OBLR-style): noise across steps or within the step "
                    + "(micro-batches), factor min(SNR, max_scale) or SNR/(1+SNR)",
            List.of(Param.of("window", integer(2), 10, "recent gradients used (across steps)", ScaleBySnr::window),
                    Param.of("max_scale", real(Range.positive()), 10.0, "largest factor (clipped)",
                            ScaleBySnr::maxScale),
                    Param.of("noise", choice(Noise.class), Noise.ACROSS_STEPS,
                            "across_steps (drift counts) or within_step (micro-batches, needs accumulate >= 2)",
                            ScaleBySnr::noise),
                    Param.of("form", choice(Form.class), Form.CLIPPED, "clipped: min(SNR, max_scale); ratio: "
                            + "SNR/(1+SNR)", ScaleBySnr::form)),
            a -> new ScaleBySnr(a.integer("window"), a.real("max_scale"), a.get("noise"), a.get("form")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Checks the arguments. */
    public ScaleBySnr {
        if (window < 2 || !(maxScale > 0)) {
            throw new IllegalArgumentException("need window >= 2 and maxScale > 0, got " + window + ", " + maxScale);
        }
    }

    /** Across steps, clipped at {@code maxScale} (the form before issue 16). */
    public ScaleBySnr(int window, double maxScale) {
        this(window, maxScale, Noise.ACROSS_STEPS, Form.CLIPPED);
    }

    /** Within the step, in the given form. */
    public static ScaleBySnr withinStep(Form form) {
        return new ScaleBySnr(KIND.<Integer>defaultOf("window"), KIND.<Double>defaultOf("max_scale"),
                Noise.WITHIN_STEP, form);
    }

    /**
     * The recent gradients, oldest first, owned by {@code manager}.
     *
     * @param history copies of the last gradients
     * @param manager the optimizer state's manager
     */
    public record History(Deque<Updates> history, NDManager manager) implements TransformState {
        /** {@code <i>.<name>}: the {@code i}-th gradient kept, oldest first. */
        @Override
        public Map<String, NDArray> arrays() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            int i = 0;
            for (Updates u : history) {
                int index = i++;
                u.asMap().forEach((name, a) -> out.put(index + "." + name, a));
            }
            return out;
        }

        /** Replaces the kept gradients by copies of {@code saved}'s. */
        @Override
        public void restore(Map<String, NDArray> saved) {
            history.forEach(u -> u.asMap().values().forEach(NDArray::close));
            history.clear();
            TreeMap<Integer, Map<String, NDArray>> byIndex = new TreeMap<>();
            saved.forEach((key, a) -> {
                int dot = key.indexOf('.');
                if (dot <= 0 || !key.substring(0, dot).chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("the SNR history has no array '" + key + "'");
                }
                NDArray c = a.duplicate();
                c.attach(manager);
                NDScope.unregister(c);
                byIndex.computeIfAbsent(Integer.parseInt(key.substring(0, dot)), k -> new LinkedHashMap<>())
                        .put(key.substring(dot + 1), c);
            });
            byIndex.values().forEach(m -> history.addLast(new Updates(m)));
        }
    }

    @Override
    public TransformState init(Weights weights, NDManager manager) {
        return new History(new ArrayDeque<>(), manager);
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        return update(updates, state, step, updates.variance());
    }

    /**
     * The update with {@code variance}, the within-step variance of the step's gradient ({@link Updates#variance()}
     * of the estimator's direction, which {@link Optimizer#step} passes on even when transforms come before
     * this one), or null when the oracle gave none.
     *
     * @throws IllegalStateException within the step, when {@code variance} is null
     */
    public Updates update(Updates updates, TransformState state, long step, @Nullable NDArray variance) {
        NDArray snr;
        if (noise == Noise.WITHIN_STEP) {
            if (variance == null) {
                throw new IllegalStateException("scale_by_snr with noise: within_step got no within-step variance at "
                        + "step " + step + ": it needs a stage with accumulate >= 2, the first_order estimator and "
                        + "an objective that is not combined");
            }
            NDArray signal = null;
            for (NDArray g : updates.asMap().values()) {
                NDArray s = g.square().sum();
                signal = signal == null ? s : signal.add(s);
            }
            if (signal == null) {
                return updates;
            }
            snr = signal.div(variance.toType(signal.getDataType(), false).add(1e-30f));
        } else {
            History h = (History) state;
            Map<String, NDArray> copy = new LinkedHashMap<>();
            updates.asMap().forEach((name, g) -> {
                NDArray c = g.duplicate();
                c.attach(h.manager());
                NDScope.unregister(c);
                copy.put(name, c);
            });
            h.history().addLast(new Updates(copy));
            if (h.history().size() > window) {
                h.history().removeFirst().asMap().values().forEach(NDArray::close);
            }
            if (h.history().size() < 2) {
                return updates;
            }
            snr = signalToNoise(new ArrayList<>(h.history()));
        }
        NDArray scale = factor(snr);
        return updates.map((name, u) -> u.mul(scale));
    }

    /** The factor of {@code snr} in this transform's form: min(SNR, maxScale) or SNR/(1 + SNR). */
    public NDArray factor(NDArray snr) {
        return form == Form.CLIPPED ? snr.minimum((float) maxScale) : snr.div(snr.add(1f));
    }

    /**
     * SNR = ‖ḡ‖² / ((1/n)Σᵢ ‖gᵢ − ḡ‖²) of {@code gradients} (n ≥ 1, the same parameters in each), as a
     * scalar array; the noise term gets 1e-30 added so that identical gradients give a huge finite value.
     */
    public static NDArray signalToNoise(List<Updates> gradients) {
        if (gradients.isEmpty()) {
            throw new IllegalArgumentException("no gradients");
        }
        float n = gradients.size();
        NDArray signal = null;
        NDArray noise = null;
        for (String name : gradients.get(0).asMap().keySet()) {
            NDArray sum = null;
            for (Updates g : gradients) {
                sum = sum == null ? g.get(name).duplicate() : sum.addi(g.get(name));
            }
            NDArray mean = sum.divi(n);
            NDArray s = mean.square().sum();
            signal = signal == null ? s : signal.add(s);
            for (Updates g : gradients) {
                NDArray d = g.get(name).sub(mean).square().sum().divi(n);
                noise = noise == null ? d : noise.add(d);
            }
        }
        return signal.div(noise.add(1e-30f));
    }
}
