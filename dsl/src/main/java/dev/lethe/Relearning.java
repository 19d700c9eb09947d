package dev.lethe;

import dev.lethe.attack.Relearn;
import org.jspecify.annotations.Nullable;

/**
 * The {@code relearn} stage: the current model is fine-tuned on {@code examples} forget examples, exactly as
 * the relearning attack ({@link Relearn}) fine-tunes its copy, but the result stays: it becomes the current
 * model, called {@code relearned}, so later stages (another unlearning, an evaluation) start from it.
 *
 * @param steps fine-tuning steps
 * @param examples forget examples shown (at most the split's size are used)
 * @param lr the learning rate (AdamW, weight decay 0.01)
 * @param continual continual evaluation during the stage, or null
 */
public record Relearning(long steps, int examples, double lr, @Nullable Continual continual) implements Stage {
    /** The kind's name in recipe files. */
    public static final String KIND = "relearn";

    /** Checks the numbers (as {@link Relearn} does). */
    public Relearning {
        attack(steps, examples, lr);
    }

    /** The relearning this stage applies, as an attack's fine-tuning. */
    public Relearn attack() {
        return attack(steps, examples, lr);
    }

    private static Relearn attack(long steps, int examples, double lr) {
        return new Relearn(steps, examples, lr);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public String produces() {
        return "relearned";
    }

    @Override
    public boolean trains() {
        return true;
    }
}
