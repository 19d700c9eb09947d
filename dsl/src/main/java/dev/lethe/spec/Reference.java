package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.text;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.optim.Optimizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code reference} stage: the "retrained without the forget set" gold standard that unlearning tries to
 * imitate, trained on the union of {@code splits} (retain ∪ world ∪ real authors by default) starting
 * {@code from} scratch (a model initialised from the recipe's spec) or from a model an earlier stage left (e.g. a
 * base model, as TOFU's retain models are). It is called {@code reference}, is the frozen model the cross-model metrics
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
    /** The value of {@code from} that starts from a newly initialised model. */
    public static final String SCRATCH = "scratch";
    /** The splits a reference trains on by default: retain, world and real authors (all but forget and holdout). */
    public static final List<Split> DEFAULT_SPLITS = List.of(Split.RETAIN, Split.WORLD, Split.REAL_AUTHORS);

    /** The {@code reference} stage in recipe files. */
    public static final Kind<Reference> KIND = Kind.of("reference", Reference.class,
            "train the retrained-without-forget gold standard, reference; the current model stays",
            TrainingParams.of(DEFAULT_SPLITS, (Reference x) -> x.training(), (Reference x) -> x.splits(),
                    (Reference x) -> x.texts(), Param.of("from", text(), SCRATCH, "scratch, or the name of an earlier stage's model",
                            (Reference x) -> x.from())),
            a -> new Reference(TrainingParams.training(a), a.list("splits"), a.get("train_on"), a.text("from"),
                    a.get("continual")));

    /** Checks and copies the splits. */
    public Reference {
        splits = Splits.distinct(splits, "reference");
        if (from.isBlank()) {
            throw new IllegalArgumentException("reference: from must be 'scratch' or a model's name, was blank");
        }
    }

    /** {@code training} from scratch on {@link #DEFAULT_SPLITS}, answers and passages. */
    public static Reference of(Training training) {
        return new Reference(training, DEFAULT_SPLITS, Texts.BOTH, SCRATCH, null);
    }

    /** A copy trained as {@code newTraining} says (steps, batch size, optimizer). */
    public Reference withTraining(Training newTraining) {
        return new Reference(newTraining, splits, texts, from, continual);
    }

    /** A copy with another step count. */
    public Reference withSteps(long newSteps) {
        return withTraining(training.withSteps(newSteps));
    }

    /** A copy with another batch size. */
    public Reference withBatchSize(int newBatchSize) {
        return withTraining(training.withBatchSize(newBatchSize));
    }

    /** A copy with another optimizer. */
    public Reference withOptimizer(Optimizer newOptimizer) {
        return withTraining(training.withOptimizer(newOptimizer));
    }

    /** A copy trained on {@code newSplits} (at least one, distinct). */
    public Reference withSplits(Split... newSplits) {
        return new Reference(training, List.of(newSplits), texts, from, continual);
    }

    /** A copy trained on {@code newTexts}: question-answer pairs, passages or both. */
    public Reference withTexts(Texts newTexts) {
        return new Reference(training, splits, newTexts, from, continual);
    }

    /** A copy evaluated continually as {@code newContinual} says (null: not at all). */
    public Reference withContinual(@Nullable Continual newContinual) {
        return new Reference(training, splits, texts, from, newContinual);
    }

    /** A copy that starts from {@code newFrom}: {@value #SCRATCH}, or the name of a model an earlier stage left. */
    public Reference withFrom(String newFrom) {
        return new Reference(training, splits, texts, newFrom, continual);
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.REFERENCE;
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
