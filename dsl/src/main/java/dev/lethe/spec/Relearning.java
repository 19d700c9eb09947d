package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.real;

import dev.lethe.attack.Relearn;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.List;
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
    /** The {@code relearn} stage in recipe files; its defaults are the relearning attack's. */
    public static final Kind<Relearning> KIND = Kind.of("relearn", Relearning.class,
            "fine-tune the current model on forget examples, as the relearning attack does; it becomes the "
                    + "current model, relearned",
            List.of(Param.of("steps", longInteger(0), Relearn.KIND.defaultOf("steps"), "fine-tuning steps",
                            (Relearning x) -> x.steps()),
                    Param.of("examples", integer(1), Relearn.KIND.defaultOf("examples"), "forget examples shown",
                            (Relearning x) -> x.examples()),
                    Param.of("lr", real(Range.positive()), Relearn.KIND.defaultOf("lr"), "learning rate", (Relearning x) -> x.lr()),
                    TrainingParams.continual()),
            a -> new Relearning(a.longInteger("steps"), a.integer("examples"), a.real("lr"), a.get("continual")));

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

    /** A copy with another step count. */
    public Relearning withSteps(long newSteps) {
        return new Relearning(newSteps, examples, lr, continual);
    }

    /** A copy that shows {@code newExamples} forget examples. */
    public Relearning withExamples(int newExamples) {
        return new Relearning(steps, newExamples, lr, continual);
    }

    /** A copy with another learning rate. */
    public Relearning withLr(double newLr) {
        return new Relearning(steps, examples, newLr, continual);
    }

    /** A copy evaluated continually as {@code newContinual} says (null: not at all). */
    public Relearning withContinual(@Nullable Continual newContinual) {
        return new Relearning(steps, examples, lr, newContinual);
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.RELEARNED;
    }

    @Override
    public boolean trains() {
        return true;
    }
}
