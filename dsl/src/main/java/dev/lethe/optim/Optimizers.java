package dev.lethe.optim;

import java.util.List;

/** Named optimizer chains, for {@code import static dev.lethe.optim.Optimizers.*}. */
public final class Optimizers {
    private Optimizers() {}

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
        return chain(new FirstOrder(), new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(weightDecay),
                new ScaleByLearningRate(schedule));
    }
}
