package dev.lethe.optim;

import dev.lethe.part.Kind;
import java.util.List;

/** Named optimizer chains, for {@code import static dev.lethe.optim.Optimizers.*}. */
public final class Optimizers {
    private Optimizers() {}

    /** The estimator slot's vocabulary, in the order {@code lethe list} shows it. */
    public static final List<Kind<? extends Estimator>> ESTIMATORS = List.of(
            FirstOrder.KIND,
            Spsa.KIND,
            Sam.KIND,
            Hybrid.KIND);

    /** The transform slot's vocabulary, in the order {@code lethe list} shows it. */
    public static final List<Kind<? extends Transform>> TRANSFORMS = List.of(
            ScaleByAdam.KIND,
            AddDecayedWeights.KIND,
            ScaleByLearningRate.KIND,
            ScaleBySign.KIND,
            QuantizeUpdates.KIND,
            TraceMomentum.KIND,
            ClipByGlobalNorm.KIND,
            ScaleBySnr.KIND,
            FreezeExcept.KIND);

    /** Any estimator followed by any transforms. */
    public static Optimizer chain(Estimator estimator, Transform... transforms) {
        return new Optimizer(estimator, List.of(transforms));
    }

    /** Plain SGD: θ ← θ − η·g. */
    public static Optimizer sgd(double lr) {
        return sgd(Schedules.constant(lr));
    }

    /** SGD with a learning-rate schedule. */
    public static Optimizer sgd(Schedule schedule) {
        return chain(new FirstOrder(), new ScaleByLearningRate(schedule));
    }

    /** AdamW with β = (0.9, 0.999), ε = 1e-8, weight decay 0.01 and a constant learning rate. */
    public static Optimizer adamW(double lr) {
        return adamW(Schedules.constant(lr), 0.01);
    }

    /**
     * AdamW (Loshchilov &amp; Hutter 2019) = scale by Adam (β = (0.9, 0.999), ε = 1e-8) → add decayed
     * weights → scale by −η_t.
     */
    public static Optimizer adamW(Schedule schedule, double weightDecay) {
        return chain(new FirstOrder(), ScaleByAdam.KIND.defaults(), new AddDecayedWeights(weightDecay),
                new ScaleByLearningRate(schedule));
    }

    /** signSGD (Bernstein et al. 2018): θ ← θ − η·sign(g). */
    public static Optimizer signSgd(double lr) {
        return signSgd(Schedules.constant(lr));
    }

    /** signSGD with a learning-rate schedule: first order → sign → −η_t. */
    public static Optimizer signSgd(Schedule schedule) {
        return chain(new FirstOrder(), new ScaleBySign(), new ScaleByLearningRate(schedule));
    }

    /** Signum (Bernstein et al. 2018): m ← βm + g, θ ← θ − η·sign(m). */
    public static Optimizer signum(double lr, double beta) {
        return signum(Schedules.constant(lr), beta);
    }

    /** Signum with a learning-rate schedule: first order → momentum β → sign → −η_t. */
    public static Optimizer signum(Schedule schedule, double beta) {
        return chain(new FirstOrder(), new TraceMomentum(beta), new ScaleBySign(), new ScaleByLearningRate(schedule));
    }

    /**
     * "signAdam": θ ← θ − η·sign(m̂/(√v̂ + ε)), Adam's β = (0.9, 0.999), ε = 1e-8. As sign(m̂/(√v̂ + ε)) = sign(m̂),
     * this is {@link #signum(double, double) Signum} with β = 0.9 (see {@link ScaleBySign}).
     */
    public static Optimizer signAdam(double lr) {
        return signAdam(Schedules.constant(lr));
    }

    /** signAdam with a learning-rate schedule: first order → Adam → sign → −η_t. */
    public static Optimizer signAdam(Schedule schedule) {
        return chain(new FirstOrder(), ScaleByAdam.KIND.defaults(), new ScaleBySign(),
                new ScaleByLearningRate(schedule));
    }

    /**
     * Zeroth-order SGD, MeZO (Malladi et al. 2023, Algorithm 1): SPSA with ε and q queries → −η. Forward
     * passes only; the loss reported is evaluated at the unperturbed weights. Fused
     * ({@link Optimizer#inPlace()}): a step needs inference memory only, no parameter-sized buffer.
     */
    public static Optimizer zerothOrder(double lr, double eps, int queries) {
        return zerothOrder(Schedules.constant(lr), eps, queries);
    }

    /** Zeroth-order SGD with a learning-rate schedule. */
    public static Optimizer zerothOrder(Schedule schedule, double eps, int queries) {
        return chain(new Spsa(eps, queries, true), new ScaleByLearningRate(schedule));
    }

    /**
     * MeZO-SGD with decoupled weight decay (Malladi et al. 2023, Algorithm 1; decay as in
     * {@link AddDecayedWeights}): SPSA with ε and q queries → +λθ → −η_t, fused like
     * {@link #zerothOrder(Schedule, double, int)}.
     */
    public static Optimizer mezo(Schedule schedule, double eps, int queries, double weightDecay) {
        return chain(new Spsa(eps, queries, true), new AddDecayedWeights(weightDecay),
                new ScaleByLearningRate(schedule));
    }

    /** SAM (Foret et al. 2021) with radius ρ around first-order gradients, then AdamW (weight decay 0.01). */
    public static Optimizer sam(double lr, double rho) {
        return sam(Schedules.constant(lr), rho, 0.01);
    }

    /** SAM with radius ρ, then AdamW with a schedule and weight decay λ. */
    public static Optimizer sam(Schedule schedule, double rho, double weightDecay) {
        return chain(Sam.of(new FirstOrder(), rho), ScaleByAdam.KIND.defaults(),
                new AddDecayedWeights(weightDecay), new ScaleByLearningRate(schedule));
    }

    /**
     * Hybrid first/zeroth order as a convex mix under one rate (not the paper's form, see {@link Hybrid}):
     * d = (1 − λ)·g + λ·ĝ_SPSA (MeZO's ε = 1e-3, one query), then SGD. Before issue 16 this was
     * {@code hybrid(lr, lambda)}.
     */
    public static Optimizer hybridMix(double lr, double lambda) {
        return chain(Hybrid.mix(new FirstOrder(), new Spsa(1e-3, 1, false), lambda),
                new ScaleByLearningRate(Schedules.constant(lr)));
    }

    /**
     * Hybrid first/zeroth order, alternating (Lang et al. 2025, the paper's hybrid): every {@code period}-th
     * step SPSA (ε = 1e-3), else first order; SGD at one rate for both.
     */
    public static Optimizer hybridAlternating(double lr, long period) {
        return hybridAlternating(lr, period, 1);
    }

    /**
     * Hybrid first/zeroth order, alternating, with the zeroth-order steps at {@code zerothOrderScale}·η: every
     * {@code period}-th step SPSA (ε = 1e-3) at rate {@code zerothOrderScale}·lr, else first order at lr; SGD.
     */
    public static Optimizer hybridAlternating(double lr, long period, double zerothOrderScale) {
        return chain(Hybrid.alternate(new FirstOrder(), new Spsa(), period, zerothOrderScale),
                new ScaleByLearningRate(Schedules.constant(lr)));
    }

    /**
     * {@code inner} with only the parameters matching {@code patterns} trainable ({@link FreezeExcept}
     * globs over names, e.g. {@code "h.1.mlp.*"}, or role patterns, e.g. {@code "role:mlp_down@1.weight"};
     * RMU's choice is {@code Rmu.trainableParameters(layer)}, Li et al. 2024,
     * "The WMDP Benchmark", §5). The filter goes first in the chain, right after the estimator, so stateful
     * transforms (momentum, Adam's moments) never see the frozen parameters' gradients, and again last, so
     * transforms that add terms of their own (AdamW's decoupled weight decay) cannot move them either: the
     * frozen weights stay bit-identical.
     */
    public static Optimizer onlyLayers(Optimizer inner, String... patterns) {
        FreezeExcept freeze = new FreezeExcept(List.of(patterns));
        List<Transform> chain = new java.util.ArrayList<>();
        chain.add(freeze);
        chain.addAll(inner.transforms());
        chain.add(freeze);
        return new Optimizer(inner.estimator(), chain);
    }

    /** {@link #onlyLayers(Optimizer, String...)} with the patterns in a list. */
    public static Optimizer onlyLayers(Optimizer inner, List<String> patterns) {
        return onlyLayers(inner, patterns.toArray(String[]::new));
    }
}
