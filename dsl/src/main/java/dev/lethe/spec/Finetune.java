package dev.lethe.spec;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.optim.Optimizer;
import dev.lethe.part.Kind;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code finetune} stage: the current model goes on training (next-token NLL) on the union of
 * {@code splits}; the result becomes the current model, called {@code finetuned}. Between two unlearning
 * stages it is the "keeps learning after it unlearned" setting; before one, it makes a benchmark's target
 * model from a base model.
 *
 * @param training steps, batch size and optimizer
 * @param splits the splits trained on (at least one, distinct)
 * @param texts question-answer pairs, passages or both
 * @param continual continual evaluation during the stage, or null
 */
public record Finetune(Training training, List<Split> splits, Texts texts, @Nullable Continual continual)
        implements Stage {
    /** The {@code finetune} stage in recipe files. */
    public static final Kind<Finetune> KIND = Kind.of("finetune", Finetune.class,
            "train the current model on the splits; it becomes the current model, finetuned",
            TrainingParams.of(List.of(Split.RETAIN), (Finetune x) -> x.training(), (Finetune x) -> x.splits(), (Finetune x) -> x.texts()),
            a -> new Finetune(TrainingParams.training(a), a.list("splits"), a.get("train_on"), a.get("continual")));

    /** Checks and copies the splits. */
    public Finetune {
        splits = Splits.distinct(splits, "finetune");
    }

    /** {@code training} on {@code splits}, answers and passages, without continual evaluation. */
    public static Finetune of(Training training, Split... splits) {
        return new Finetune(training, List.of(splits), Texts.BOTH, null);
    }

    /** A copy trained as {@code newTraining} says (steps, batch size, optimizer). */
    public Finetune withTraining(Training newTraining) {
        return new Finetune(newTraining, splits, texts, continual);
    }

    /** A copy with another step count. */
    public Finetune withSteps(long newSteps) {
        return withTraining(training.withSteps(newSteps));
    }

    /** A copy with another batch size. */
    public Finetune withBatchSize(int newBatchSize) {
        return withTraining(training.withBatchSize(newBatchSize));
    }

    /** A copy with another optimizer. */
    public Finetune withOptimizer(Optimizer newOptimizer) {
        return withTraining(training.withOptimizer(newOptimizer));
    }

    /** A copy trained on {@code newSplits} (at least one, distinct). */
    public Finetune withSplits(Split... newSplits) {
        return new Finetune(training, List.of(newSplits), texts, continual);
    }

    /** A copy trained on {@code newTexts}: question-answer pairs, passages or both. */
    public Finetune withTexts(Texts newTexts) {
        return new Finetune(training, splits, newTexts, continual);
    }

    /** A copy evaluated continually as {@code newContinual} says (null: not at all). */
    public Finetune withContinual(@Nullable Continual newContinual) {
        return new Finetune(training, splits, texts, newContinual);
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.FINETUNED;
    }

    @Override
    public boolean trains() {
        return true;
    }
}
