package dev.lethe.objective;

import dev.lethe.data.Split;

/** Static vocabulary of objectives, for {@code import static dev.lethe.objective.Objectives.*}. */
public final class Objectives {
    private Objectives() {}

    /** NLL of the answers of the union of {@code splits}. */
    public static Objective nll(Split... splits) {
        return new Nll(java.util.List.of(splits));
    }

    /** Gradient ascent on the forget split. */
    public static Objective gradientAscent() {
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
}
