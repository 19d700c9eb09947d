package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.path;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.optim.Optimizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code reference} stage: the "retrained without the forget set" gold standard that unlearning tries to
 * imitate, trained on the union of {@code splits} (retain ∪ world ∪ real authors by default) starting
 * {@code from} scratch (a model initialised from the recipe's spec) or from a model an earlier stage left (e.g. a
 * base model, as TOFU's retain models are). It is called {@code reference}, is the frozen model the cross-model metrics
 * (forget quality, PrivLeak, {@code kl_to_reference}) compare with, and does not replace the current model.
 *
 * <p>The kind {@code reference} has two forms, declared once here ({@link #KIND}): the training parameters
 * ({@code steps} required) make this record; {@code hf: DIR} alone makes an {@link HfReference}, a reference loaded
 * from a Hugging Face folder (a published retain model) with nothing trained. One kind rather than two because a
 * recipe names the role, {@code reference}, whichever way the model is had; two records because a loaded reference
 * has no training parameters, so neither record holds fields that mean nothing.
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

    /** The parameter that loads the reference from a folder ({@link HfReference}) instead of training it. */
    public static final String HF = "hf";

    /**
     * The {@code reference} stage in recipe files, both forms: {@code hf} alone reads as an {@link HfReference};
     * otherwise {@code steps} is required and the parameters read as a {@link Reference}.
     */
    public static final Kind<Stage> KIND = declareKind();

    private static Kind<Stage> declareKind() {
        List<Param> params = new ArrayList<>();
        params.add(Param.optional(HF, path(), "a Hugging Face folder to load the reference from instead of training "
                + "it (a published retain model; relative to the working directory); then no other parameter",
                (Stage x) -> x instanceof HfReference h ? h.dir() : null));
        for (Param p : TrainingParams.of(DEFAULT_SPLITS, (Reference x) -> x.training(), (Reference x) -> x.splits(),
                (Reference x) -> x.texts(), Param.of("from", text(), SCRATCH, "scratch, or the name of an earlier "
                        + "stage's model", (Reference x) -> x.from()))) {
            // steps is required to train a reference, and not given to load one: optional in the union, checked below
            params.add(p.name().equals("steps") ? new Param(p.name(), ParamTypes.nullable(p.type()), null, false,
                    p.doc() + " (required, unless hf)", p.accessor()) : p);
        }
        List<Param> all = List.copyOf(params);
        return new Kind<Stage>("reference", "train the retrained-without-forget gold standard, reference, or load it "
                + "from a folder (hf); the current model stays", all, a -> {
                    if (a.given(HF)) {
                        List<String> training = all.stream().map(Param::name)
                                .filter(k -> !k.equals(HF) && a.given(k)).toList();
                        if (!training.isEmpty()) {
                            throw new IllegalArgumentException("hf loads the reference from a folder, and "
                                    + String.join(", ", training) + (training.size() == 1 ? " is" : " are")
                                    + " for training one: give hf alone, or the training parameters without hf");
                        }
                        return new HfReference(a.get(HF));
                    }
                    if (!a.given("steps")) {
                        throw new IllegalArgumentException("give steps (optimisation steps) to train the reference, "
                                + "or hf (a Hugging Face folder) to load it");
                    }
                    return new Reference(TrainingParams.training(a), a.list("splits"), a.get("train_on"),
                            a.text("from"), a.get("continual"));
                }, o -> {
                    List<@Nullable Object> values = new ArrayList<>();
                    for (Param p : all) {
                        values.add(o instanceof HfReference h ? (p.name().equals(HF) ? h.dir() : null)
                                : Objects.requireNonNull(p.accessor()).apply(o));
                    }
                    return values;
                }, o -> o instanceof Reference || o instanceof HfReference, false);
    }

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
