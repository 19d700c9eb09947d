package dev.lethe.attack;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.real;

import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.optim.Optimizers;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The relearning attack: a few steps of fine-tuning on a small part of the forget split, after which an
 * unlearned model that only hid its knowledge recovers far more of the forget split than it was shown
 * (Hu et al. 2024, "Jogging the Memory of Unlearned LLMs Through Targeted Relearning Attacks",
 * arXiv:2406.13356; Lynch et al. 2024, "Eight Methods to Evaluate Robust Unlearning in LLMs",
 * arXiv:2402.16835).
 *
 * <p>The forget examples are shuffled with the attack's seed and the first {@code examples} kept; the
 * copy is trained for {@code steps} steps of the answers' NLL (prompt masked) with AdamW (learning rate
 * {@code lr}, weight decay 0.01), each step one batch of all kept examples, through the runner's own
 * optimisation loop (its events carry the stage {@code <attack stage>.<name>}, e.g. {@code attack.relearn}).
 *
 * @param steps fine-tuning steps
 * @param examples forget examples shown to the attacker (at most the split's size are used)
 * @param lr the learning rate
 */
public record Relearn(long steps, int examples, double lr) implements ModelAttack {
    /** The attack {@code relearn}. */
    public static final Kind<Relearn> KIND = Kind.of("relearn", Relearn.class,
            "fine-tune on a few forget examples (relearning attack)",
            List.of(Param.of("steps", longInteger(0), 20L, "fine-tuning steps", Relearn::steps),
                    Param.of("examples", integer(1), 5, "forget examples shown", Relearn::examples),
                    Param.of("lr", real(Range.positive()), 1e-3, "learning rate", Relearn::lr)),
            a -> new Relearn(a.longInteger("steps"), a.integer("examples"), a.real("lr")));

    /** Checks the numbers. */
    public Relearn {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        if (examples < 1) {
            throw new IllegalArgumentException("examples must be >= 1, was " + examples);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("lr must be > 0, was " + lr);
        }
    }

    /** {@code relearn}. */
    @Override
    public String name() {
        return "relearn";
    }

    @Override
    public void attackWeights(CausalLm copy, AttackContext context) {
        List<QaExample> shown = subset(context.data().get(Split.FORGET), examples, context.seed());
        if (shown.isEmpty() || steps == 0) {
            return;
        }
        context.fineTuner().fineTune(copy, shown, shown.size(), steps, Optimizers.adamW(lr));
    }

    /** The first {@code count} of {@code forget} in an order shuffled (Fisher–Yates) with {@code seed}. */
    static List<QaExample> subset(List<QaExample> forget, int count, long seed) {
        List<QaExample> order = new ArrayList<>(forget);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            QaExample t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return List.copyOf(order.subList(0, Math.min(count, order.size())));
    }
}
