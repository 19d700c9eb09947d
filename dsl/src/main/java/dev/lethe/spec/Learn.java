package dev.lethe.spec;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.optim.Optimizer;
import dev.lethe.part.Kind;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code learn} stage: a model trained from scratch (initialised from the recipe's model spec with the
 * stage's own seed) on the union of {@code splits}, until it has memorised them; it becomes the current
 * model, called {@code learned}. The quickstart learns forget ∪ retain ∪ world ∪ real authors, answers and
 * passages.
 *
 * @param training steps, batch size and optimizer
 * @param splits the splits trained on (at least one, distinct)
 * @param texts question-answer pairs, passages or both
 * @param continual continual evaluation during the stage, or null
 */
public record Learn(Training training, List<Split> splits, Texts texts, @Nullable Continual continual)
        implements Stage {
    /** The splits a learn stage trains on by default: forget, retain, world and real authors. */
    public static final List<Split> DEFAULT_SPLITS = List.of(Split.FORGET, Split.RETAIN, Split.WORLD,
            Split.REAL_AUTHORS);

    /** The {@code learn} stage in recipe files. */
    public static final Kind<Learn> KIND = Kind.of("learn", Learn.class,
            "train a model from scratch on the splits (NLL of the answers); it becomes the current model, learned",
            TrainingParams.of(DEFAULT_SPLITS, (Learn x) -> x.training(), (Learn x) -> x.splits(), (Learn x) -> x.texts()),
            a -> new Learn(TrainingParams.training(a), a.list("splits"), a.get("train_on"), a.get("continual")));

    /** Checks and copies the splits. */
    public Learn {
        splits = Splits.distinct(splits, "learn");
    }

    /** {@code training} on {@link #DEFAULT_SPLITS}, answers and passages, without continual evaluation. */
    public static Learn of(Training training) {
        return new Learn(training, DEFAULT_SPLITS, Texts.BOTH, null);
    }

    /** A copy trained as {@code newTraining} says (steps, batch size, optimizer). */
    public Learn withTraining(Training newTraining) {
        return new Learn(newTraining, splits, texts, continual);
    }

    /** A copy with another step count. */
    public Learn withSteps(long newSteps) {
        return withTraining(training.withSteps(newSteps));
    }

    /** A copy with another batch size. */
    public Learn withBatchSize(int newBatchSize) {
        return withTraining(training.withBatchSize(newBatchSize));
    }

    /** A copy with another optimizer. */
    public Learn withOptimizer(Optimizer newOptimizer) {
        return withTraining(training.withOptimizer(newOptimizer));
    }

    /** A copy trained on {@code newSplits} (at least one, distinct). */
    public Learn withSplits(Split... newSplits) {
        return new Learn(training, List.of(newSplits), texts, continual);
    }

    /** A copy trained on {@code newTexts}: question-answer pairs, passages or both. */
    public Learn withTexts(Texts newTexts) {
        return new Learn(training, splits, newTexts, continual);
    }

    /** A copy evaluated continually as {@code newContinual} says (null: not at all). */
    public Learn withContinual(@Nullable Continual newContinual) {
        return new Learn(training, splits, texts, newContinual);
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.LEARNED;
    }

    @Override
    public boolean trains() {
        return true;
    }
}
