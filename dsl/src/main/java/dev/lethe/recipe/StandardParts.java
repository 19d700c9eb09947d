package dev.lethe.recipe;

import static dev.lethe.recipe.ParamTypes.integer;
import static dev.lethe.recipe.ParamTypes.list;
import static dev.lethe.recipe.ParamTypes.longInteger;
import static dev.lethe.recipe.ParamTypes.part;
import static dev.lethe.recipe.ParamTypes.real;
import static dev.lethe.recipe.ParamTypes.split;
import static dev.lethe.recipe.ParamTypes.struct;
import static dev.lethe.recipe.ParamTypes.text;

import dev.lethe.Evaluation;
import dev.lethe.Recipe;
import dev.lethe.Training;
import dev.lethe.Unlearning;
import dev.lethe.adapter.Lora;
import dev.lethe.adapter.LoraTarget;
import dev.lethe.model.Precision;
import dev.lethe.objective.Npo;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.recipe.ParamTypes.Range;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * The field layouts of the single-kind records: {@link #RECIPE}, {@link #TRAINING}, {@link #UNLEARNING},
 * {@link #EVALUATION}, {@link #CONTINUAL}, {@link #OPTIMIZER}, {@link #LORA}. The parts of the slots declare
 * their kinds beside their records ({@code Npo.KIND}), listed by their slots' vocabularies
 * ({@link PartRegistry#standard()}).
 */
public final class StandardParts {
    private StandardParts() {}

    /** An optimizer: an estimator and a chain of transforms ({@link Optimizer}). */
    public static final Kind<Optimizer> OPTIMIZER = Kind.of("optimizer", Optimizer.class,
            "an estimator of the descent direction, then transforms applied in order (Optax's chain)",
            List.of(Param.of("estimator", part(Slot.ESTIMATOR), new FirstOrder(), "where the direction comes from"),
                    Param.required("transforms", list(part(Slot.TRANSFORM), 0),
                            "the chain, e.g. scale_by_adam, add_decayed_weights, scale_by_learning_rate")),
            a -> new Optimizer(a.get("estimator"), a.list("transforms")), o -> List.of(o.estimator(), o.transforms()));

    /** The {@code learn} and {@code reference} stages ({@link Training}). */
    public static final Kind<Training> TRAINING = Kind.of("training", Training.class,
            "training from scratch on the stage's splits (NLL of the answers)",
            List.of(Param.required("steps", longInteger(0), "optimisation steps"),
                    Param.of("batch_size", integer(1), 32, "examples per step"),
                    Param.optional("optimizer", struct(OPTIMIZER),
                            "default: AdamW, lr 3e-3 with 5 % warm-up and linear decay, weight decay 0.01")),
            a -> {
                Training t = Training.of(a.longInteger("steps")).batchSize(a.integer("batch_size"));
                Optimizer o = a.get("optimizer");
                return o == null ? t : t.optimizer(o);
            },
            t -> List.of(t.steps(), t.batchSize(), t.optimizer()));

    /** Low-rank adapters of the unlearning stage ({@link Lora}). */
    public static final Kind<Lora> LORA = Kind.of("lora", Lora.class,
            "LoRA adapters trained instead of the full model, merged back after the stage (Hu et al. 2021, eq. 3); "
                    + "FILA initialisation from LoKU (Cha et al. 2025)",
            List.of(Param.required("rank", integer(1), "rank r of BA"),
                    Param.optional("alpha", real(Range.positive()), "scale α (the update is (α/r)·BA); absent: α = r"),
                    Param.of("targets", list(ParamTypes.choice(LoraTarget.class), 1),
                            List.of(LoraTarget.values()), "the projections of every block that get adapters"),
                    Param.of("init", ParamTypes.choice(Lora.Init.class), Lora.Init.STANDARD,
                            "standard (A Kaiming-uniform, B = 0) or fila (Fisher-weighted, LoKU)")),
            a -> {
                int rank = a.integer("rank");
                Double alpha = a.get("alpha");
                List<LoraTarget> targets = a.list("targets");
                if (targets.size() != EnumSet.copyOf(targets).size()) {
                    throw new IllegalArgumentException("targets must be distinct, were " + targets);
                }
                return new Lora(rank, alpha == null ? rank : alpha, EnumSet.copyOf(targets), a.get("init"));
            },
            l -> List.of(l.rank(), l.alpha(), List.copyOf(l.targets()), l.init()));

    /** The {@code unlearn} stage ({@link Unlearning}). */
    public static final Kind<Unlearning> UNLEARNING = Kind.of("unlearning", Unlearning.class,
            "minimise the objective starting from the learned model",
            List.of(Param.required("objective", part(Slot.OBJECTIVE), "what to minimise"),
                    Param.optional("optimizer", struct(OPTIMIZER), "default: AdamW, lr 1e-3, weight decay 0.01"),
                    Param.of("steps", longInteger(0), 100L, "optimisation steps"),
                    Param.of("batch_size", integer(1), 16, "examples per split per step"),
                    Param.of("requests", integer(1), 1, "sequential unlearning requests the forget split is cut "
                            + "into, each given all the steps"),
                    Param.optional("adapters", struct(LORA), "LoRA adapters to train instead of the full model "
                            + "(absent: the full model)"),
                    Param.optional("diverge_above", real(Range.positive()), "stop the stage, keeping the last good "
                            + "weights, when |loss| passes this (absent: only NaN/Inf stop it)"),
                    Param.of("train_on", ParamTypes.choice(Unlearning.Texts.class), Unlearning.Texts.ANSWERS,
                            "what the batches hold: answers (question-answer pairs), passages (MUSE) or both"),
                    Param.of("precision", ParamTypes.choice(Precision.class), Precision.FLOAT32, "float32, or "
                            + "float16 mixed precision (float32 weights and optimizer state; for GPUs)")),
            a -> {
                Optimizer o = a.get("optimizer");
                return new Unlearning(a.get("objective"), o == null ? Optimizers.adamW(1e-3) : o,
                        a.longInteger("steps"), a.integer("batch_size"), a.integer("requests"), a.get("adapters"),
                        a.<Double>get("diverge_above") == null ? Double.POSITIVE_INFINITY : a.<Double>get("diverge_above"),
                        a.get("train_on"), a.get("precision"));
            },
            u -> Arrays.asList(u.objective(), u.optimizer(), u.steps(), u.batchSize(), u.requests(), u.adapters(),
                    Double.isInfinite(u.divergeAbove()) ? null : u.divergeAbove(), u.trainOn(), u.precision()));

    /** Continual evaluation during training stages ({@link Evaluation.Continual}). */
    public static final Kind<Evaluation.Continual> CONTINUAL = Kind.of("continual", Evaluation.Continual.class,
            "evaluate every k steps during unlearning and relearning attacks (the stability gap, De Lange et al. 2023)",
            List.of(Param.required("every", longInteger(1), "steps between two points"),
                    Param.of("suites", list(part(Slot.SUITE), 0), Evaluation.defaults().every(1).continual().suites(),
                            "what to measure (keep it cheap)"),
                    Param.of("splits", list(split(), 0), Evaluation.defaults().every(1).continual().splits(),
                            "where")),
            a -> new Evaluation.Continual(a.longInteger("every"), a.list("suites"), a.list("splits")),
            c -> List.of(c.every(), c.suites(), c.splits()));

    /** The {@code evaluate} stage ({@link Evaluation}). */
    public static final Kind<Evaluation> EVALUATION = Kind.of("evaluation", Evaluation.class,
            "every suite on every split, for every model",
            List.of(Param.of("suites", list(part(Slot.SUITE), 0), Evaluation.defaults().suites(), "the suites"),
                    Param.of("splits", list(split(), 0), Evaluation.defaults().splits(), "the splits"),
                    Param.optional("continual", struct(CONTINUAL), "continual evaluation (absent: none)")),
            a -> new Evaluation(a.list("suites"), a.list("splits"), a.get("continual")),
            e -> Arrays.asList(e.suites(), e.splits(), e.continual()));

    /** A whole recipe ({@link Recipe}); the defaults are those of {@link dev.lethe.Lethe#recipe}. */
    public static final Kind<Recipe> RECIPE = Kind.of("recipe", Recipe.class, "an unlearning experiment",
            List.of(Param.required("name", text(), "the run's name"),
                    Param.of("seed", ParamTypes.anyLong(), 42L, "the seed every random stream derives from"),
                    Param.of("device", text(), "cpu", "cpu, gpu, gpu:N or auto (a GPU when the engine sees one)"),
                    Param.required("model", part(Slot.MODEL), "the model's shape"),
                    Param.required("data", part(Slot.DATA), "the examples"),
                    Param.of("learn", struct(TRAINING), Training.of(1000), "training of the learned model"),
                    Param.optional("reference", struct(TRAINING), "training of the retain-only reference"),
                    Param.optional("unlearn", struct(UNLEARNING), "the unlearning stage"),
                    Param.of("evaluate", struct(EVALUATION), Evaluation.defaults(), "what to measure"),
                    Param.of("attacks", list(part(Slot.ATTACK), 0), List.of(), "attacks on the unlearned model")),
            a -> {
                String name = a.text("name");
                String device = a.text("device");
                if (name.isBlank()) {
                    throw new IllegalArgumentException("name must not be blank");
                }
                if (!device.matches("cpu|gpu|gpu:\\d+|auto")) {
                    throw new IllegalArgumentException("device must be cpu, gpu, gpu:N or auto, was '" + device + "'");
                }
                return new Recipe(name, a.longInteger("seed"), device, a.get("model"), a.get("data"), a.get("learn"),
                        a.get("reference"), a.get("unlearn"), a.get("evaluate"), a.list("attacks"));
            },
            r -> Arrays.asList(r.name(), r.seed(), r.device(), r.model(), r.data(), r.learn(), r.reference(),
                    r.unlearn(), r.evaluate(), r.attacks()));
}
