package dev.lethe;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code reference} stage: the "retrained without the forget set" gold standard that unlearning tries to
 * imitate, trained on the union of {@code splits} (retain ∪ world by default) starting {@code from} scratch
 * (a model initialised from the recipe's spec) or from a model an earlier stage left (e.g. a base model, as
 * TOFU's retain models are). It is called {@code reference}, is the frozen model the cross-model metrics
 * (forget quality, PrivLeak, {@code kl_to_reference}) compare with, and does not replace the current model.
 *
 * @param training steps, batch size and optimizer
 * @param splits the splits trained on (at least one, distinct)
 * @param texts question-answer pairs, passages or both
 * @param from {@value #SCRATCH}, or the name of a model an earlier stage left
 * @param continual continual evaluation during the stage, or null
 */
public record Reference(Training training, List<Split> splits, Texts texts, String from,
        @Nullable Continual continual) implements Stage {
    /** The kind's name in recipe files. */
    public static final String KIND = "reference";
    /** The value of {@code from} that starts from a newly initialised model. */
    public static final String SCRATCH = "scratch";

    /** Checks and copies the splits. */
    public Reference {
        splits = Splits.distinct(splits, KIND);
        if (from.isBlank()) {
            throw new IllegalArgumentException("reference: from must be 'scratch' or a model's name, was blank");
        }
    }

    /** {@code training} from scratch on retain ∪ world, answers and passages. */
    public static Reference of(Training training) {
        return new Reference(training, List.of(Split.RETAIN, Split.WORLD), Texts.BOTH, SCRATCH, null);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public String produces() {
        return "reference";
    }

    @Override
    public boolean replacesCurrent() {
        return false;
    }

    @Override
    public boolean trains() {
        return true;
    }
}
