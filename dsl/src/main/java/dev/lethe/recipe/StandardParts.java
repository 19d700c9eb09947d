package dev.lethe.recipe;

import static dev.lethe.recipe.ParamTypes.bool;
import static dev.lethe.recipe.ParamTypes.integer;
import static dev.lethe.recipe.ParamTypes.list;
import static dev.lethe.recipe.ParamTypes.longInteger;
import static dev.lethe.recipe.ParamTypes.map;
import static dev.lethe.recipe.ParamTypes.part;
import static dev.lethe.recipe.ParamTypes.real;
import static dev.lethe.recipe.ParamTypes.split;
import static dev.lethe.recipe.ParamTypes.struct;
import static dev.lethe.recipe.ParamTypes.text;

import dev.lethe.Attacking;
import dev.lethe.Continual;
import dev.lethe.Evaluation;
import dev.lethe.Finetune;
import dev.lethe.Learn;
import dev.lethe.Reference;
import dev.lethe.Relearning;
import dev.lethe.Save;
import dev.lethe.Recipe;
import dev.lethe.Training;
import dev.lethe.Unlearning;
import dev.lethe.adapter.Lora;
import dev.lethe.adapter.LoraTarget;
import dev.lethe.attack.JailbreakPrefix;
import dev.lethe.attack.ParaphrasePrompts;
import dev.lethe.attack.Prune;
import dev.lethe.attack.Quantize;
import dev.lethe.attack.Relearn;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.JsonlData;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.MultipleChoiceSuite;
import dev.lethe.eval.MuseSuite;
import dev.lethe.eval.PrivacySuite;
import dev.lethe.eval.TofuSuite;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.objective.CatnipStyle;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.ConceptCorrection;
import dev.lethe.objective.Dpo;
import dev.lethe.objective.Flat;
import dev.lethe.objective.GradDiff;
import dev.lethe.objective.GradientAscent;
import dev.lethe.objective.Idk;
import dev.lethe.objective.InvertedHinge;
import dev.lethe.objective.KlRetain;
import dev.lethe.objective.Nll;
import dev.lethe.objective.Npo;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.objective.Rmu;
import dev.lethe.objective.SimNpo;
import dev.lethe.optim.AddDecayedWeights;
import dev.lethe.optim.ClipByGlobalNorm;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.Estimator;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.FreezeExcept;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Hybrid;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Sam;
import dev.lethe.optim.ScaleByAdam;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.ScaleBySign;
import dev.lethe.optim.ScaleBySnr;
import dev.lethe.optim.Schedule;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Spsa;
import dev.lethe.optim.StableUn;
import dev.lethe.optim.TraceMomentum;
import dev.lethe.recipe.ParamTypes.Range;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The built-in parts: every record of the DSL that a recipe can hold, with the parameter names, defaults and
 * ranges of the classes they build (the defaults are the DSL's: {@link dev.lethe.objective.Objectives},
 * {@link Optimizers}, {@link dev.lethe.eval.Suites}, {@link dev.lethe.attack.Attacks}, {@link GptConfig#tiny()},
 * {@link FictitiousFacts#of}). Also the field layouts of the single-kind records: {@link #RECIPE},
 * {@link #TRAINING}, {@link #UNLEARNING}, {@link #EVALUATION}, {@link #OPTIMIZER}, {@link #LORA}.
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

    /** Continual evaluation during a training stage ({@link Continual}). */
    public static final Kind<Continual> CONTINUAL = Kind.of("continual", Continual.class,
            "evaluate every k steps during the stage (the stability gap, De Lange et al. 2023)",
            List.of(Param.required("every", longInteger(1), "steps between two points"),
                    Param.of("suites", list(part(Slot.SUITE), 0), Continual.every(1).suites(),
                            "what to measure (keep it cheap)"),
                    Param.of("splits", list(split(), 0), Continual.every(1).splits(), "where")),
            a -> new Continual(a.longInteger("every"), a.list("suites"), a.list("splits")),
            c -> List.of(c.every(), c.suites(), c.splits()));

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

    /** A whole recipe ({@link Recipe}); the defaults are those of {@link dev.lethe.Lethe#recipe}. */
    public static final Kind<Recipe> RECIPE = Kind.of("recipe", Recipe.class, "an unlearning experiment",
            List.of(Param.required("name", text(), "the run's name"),
                    Param.of("seed", ParamTypes.anyLong(), 42L, "the seed every random stream derives from"),
                    Param.of("device", text(), "cpu", "cpu, gpu, gpu:N or auto (a GPU when the engine sees one)"),
                    Param.required("model", part(Slot.MODEL), "the model's shape"),
                    Param.required("data", part(Slot.DATA), "the examples"),
                    Param.required("stages", list(part(Slot.STAGE), 1), "the stages, in the order they run")),
            a -> new Recipe(a.text("name"), a.longInteger("seed"), a.text("device"), a.get("model"), a.get("data"),
                    a.list("stages")),
            r -> List.of(r.name(), r.seed(), r.device(), r.model(), r.data(), r.stages()));

    /** The sections of the recipe shape before stage lists, which a file may no longer have. */
    static final List<String> OLD_SECTIONS = List.of("learn", "reference", "unlearn", "evaluate", "attacks");

    /** Adds every built-in kind to {@code r}. */
    static void addTo(PartRegistry r) {
        stages(r);
        models(r);
        data(r);
        objectives(r);
        combiners(r);
        estimators(r);
        transforms(r);
        schedules(r);
        suites(r);
        attacks(r);
    }

    private static List<Param> training(List<Split> splits) {
        return List.of(Param.required("steps", longInteger(0), "optimisation steps"),
                Param.of("batch_size", integer(1), 32, "examples per step, shared by the splits by their sizes"),
                Param.optional("optimizer", struct(OPTIMIZER),
                        "default: AdamW, lr 3e-3 with 5 % warm-up and linear decay, weight decay 0.01"),
                Param.of("splits", list(split(), 1), splits, "the splits trained on"),
                Param.of("train_on", ParamTypes.choice(Texts.class), Texts.BOTH,
                        "answers (question-answer pairs), passages, or both"));
    }

    private static Param continual() {
        return Param.optional("continual", struct(CONTINUAL), "continual evaluation during the stage (absent: none)");
    }

    private static List<Param> plus(List<Param> params, Param... more) {
        List<Param> out = new ArrayList<>(params);
        out.addAll(List.of(more));
        return out;
    }

    private static Training training(Args a) {
        Training t = Training.of(a.longInteger("steps")).batchSize(a.integer("batch_size"));
        Optimizer o = a.get("optimizer");
        return o == null ? t : t.optimizer(o);
    }

    private static void stages(PartRegistry r) {
        Training t = Training.of(1);
        Learn learn = Learn.of(t);
        r.add(Slot.STAGE, Kind.of(Learn.KIND, Learn.class,
                "train a model from scratch on the splits (NLL of the answers); it becomes the current model, learned",
                plus(training(learn.splits()), continual()),
                a -> new Learn(training(a), a.list("splits"), a.get("train_on"), a.get("continual")),
                s -> Arrays.asList(s.training().steps(), s.training().batchSize(), s.training().optimizer(), s.splits(),
                        s.texts(), s.continual())));
        r.add(Slot.STAGE, Kind.of(Finetune.KIND, Finetune.class,
                "train the current model on the splits; it becomes the current model, finetuned",
                plus(training(List.of(Split.RETAIN)), continual()),
                a -> new Finetune(training(a), a.list("splits"), a.get("train_on"), a.get("continual")),
                s -> Arrays.asList(s.training().steps(), s.training().batchSize(), s.training().optimizer(), s.splits(),
                        s.texts(), s.continual())));
        Reference reference = Reference.of(t);
        r.add(Slot.STAGE, Kind.of(Reference.KIND, Reference.class,
                "train the retrained-without-forget gold standard, reference; the current model stays",
                plus(training(reference.splits()),
                        Param.of("from", text(), Reference.SCRATCH, "scratch, or the name of an earlier stage's model"),
                        continual()),
                a -> new Reference(training(a), a.list("splits"), a.get("train_on"), a.text("from"), a.get("continual")),
                s -> Arrays.asList(s.training().steps(), s.training().batchSize(), s.training().optimizer(), s.splits(),
                        s.texts(), s.from(), s.continual())));
        r.add(Slot.STAGE, Kind.of(Unlearning.KIND, Unlearning.class,
                "minimise the objective starting from the current model; it becomes the current model, unlearned",
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
                        Param.of("train_on", ParamTypes.choice(Texts.class), Texts.ANSWERS,
                                "what the batches hold: answers (question-answer pairs), passages (MUSE) or both"),
                        Param.of("precision", ParamTypes.choice(Precision.class), Precision.FLOAT32, "float32, or "
                                + "float16 mixed precision (float32 weights and optimizer state; for GPUs)"),
                        continual()),
                a -> {
                    Optimizer o = a.get("optimizer");
                    Double bound = a.get("diverge_above");
                    return new Unlearning(a.get("objective"), o == null ? Optimizers.adamW(1e-3) : o,
                            a.longInteger("steps"), a.integer("batch_size"), a.integer("requests"), a.get("adapters"),
                            bound == null ? Double.POSITIVE_INFINITY : bound, a.get("train_on"), a.get("precision"),
                            a.get("continual"));
                },
                u -> Arrays.asList(u.objective(), u.optimizer(), u.steps(), u.batchSize(), u.requests(), u.adapters(),
                        Double.isInfinite(u.divergeAbove()) ? null : u.divergeAbove(), u.trainOn(), u.precision(),
                        u.continual())));
        r.add(Slot.STAGE, Kind.of(Relearning.KIND, Relearning.class,
                "fine-tune the current model on forget examples, as the relearning attack does; it becomes the "
                        + "current model, relearned",
                List.of(Param.of("steps", longInteger(0), 20L, "fine-tuning steps"),
                        Param.of("examples", integer(1), 5, "forget examples shown"),
                        Param.of("lr", real(Range.positive()), 1e-3, "learning rate"), continual()),
                a -> new Relearning(a.longInteger("steps"), a.integer("examples"), a.real("lr"), a.get("continual")),
                s -> Arrays.asList(s.steps(), s.examples(), s.lr(), s.continual())));
        r.add(Slot.STAGE, Kind.of(Attacking.KIND, Attacking.class,
                "attack copies of the current model; each is evaluated with the next evaluate stage's suites",
                List.of(Param.required("attacks", list(part(Slot.ATTACK), 1), "the attacks, with distinct names"),
                        Param.optional("continual", struct(CONTINUAL), "continual evaluation during relearning "
                                + "attacks (absent: none)")),
                a -> new Attacking(a.list("attacks"), a.get("continual")),
                s -> Arrays.asList(s.attacks(), s.continual())));
        r.add(Slot.STAGE, Kind.of(Evaluation.KIND, Evaluation.class,
                "every suite on every split of each model made since the last evaluation",
                List.of(Param.of("suites", list(part(Slot.SUITE), 0), Evaluation.defaults().suites(), "the suites"),
                        Param.of("splits", list(split(), 0), Evaluation.defaults().splits(), "the splits")),
                a -> new Evaluation(a.list("suites"), a.list("splits")), e -> List.of(e.suites(), e.splits())));
        r.add(Slot.STAGE, Kind.of(Save.KIND, Save.class,
                "write the current model as safetensors inside the run's models/ folder",
                List.of(Param.required("file", text(), "a relative path ending in .safetensors")),
                a -> new Save(a.text("file")), s -> List.of(s.file())));
    }

    private static Param lr() {
        return Param.required("lr", real(Range.nonNegative()), "peak value η");
    }

    private static Param warmup() {
        return Param.of("warmup_steps", longInteger(0), 0L, "linear warm-up length (0 for none)");
    }

    private static void models(PartRegistry r) {
        GptConfig t = GptConfig.tiny();
        r.add(Slot.MODEL, Kind.of("gpt", GptConfig.class, "GPT-2-style causal LM (Radford et al. 2019); defaults: "
                + "GptConfig.tiny()",
                List.of(Param.of("vocab_size", integer(0), t.vocabSize(), "token ids; 0 = the data's tokenizer's"),
                        Param.of("layers", integer(1), t.layers(), "transformer blocks"),
                        Param.of("width", integer(1), t.width(), "residual width, a multiple of heads"),
                        Param.of("heads", integer(1), t.heads(), "attention heads per block"),
                        Param.of("context_length", integer(1), t.contextLength(), "longest sequence"),
                        Param.of("dropout", ParamTypes.realFloat(Range.closedOpen(0, 1)), t.dropout(),
                                "dropout rate; 0 keeps runs deterministic"),
                        Param.of("activation", ParamTypes.choice(GptConfig.Activation.class), t.activation(),
                                "the MLP's non-linearity: gelu (exact) or gelu_tanh (GPT-2's approximation)")),
                a -> new GptConfig(a.integer("vocab_size"), a.integer("layers"), a.integer("width"), a.integer("heads"),
                        a.integer("context_length"), a.<Float>get("dropout"), a.get("activation")),
                g -> List.of(g.vocabSize(), g.layers(), g.width(), g.heads(), g.contextLength(), g.dropout(),
                        g.activation())));
    }

    private static void data(PartRegistry r) {
        FictitiousFacts d = FictitiousFacts.of(50, 0.1);
        r.add(Slot.DATA, Kind.of("fictitious_facts", FictitiousFacts.class,
                "the built-in TOFU-shaped benchmark of fictitious people (Maini et al. 2024); defaults: "
                        + "FictitiousFacts.of(50, 0.1)",
                List.of(Param.of("people", integer(2, 1000), d.people(), "trained people (forget + retain)"),
                        Param.of("forget_fraction", real(Range.open(0, 1)), d.forgetFraction(),
                                "share of the trained people to forget"),
                        Param.of("holdout_people", integer(0, 1000), d.holdoutPeople(), "never-trained people"),
                        Param.of("facts_per_person", integer(1, 6), d.factsPerPerson(), "facts per person"),
                        Param.of("world_countries", integer(0, 200), d.worldCountries(), "countries of the world split")),
                a -> new FictitiousFacts(a.integer("people"), a.real("forget_fraction"), a.integer("holdout_people"),
                        a.integer("facts_per_person"), a.integer("world_countries")),
                f -> List.of(f.people(), f.forgetFraction(), f.holdoutPeople(), f.factsPerPerson(),
                        f.worldCountries())));
        r.add(Slot.DATA, Kind.of("jsonl", JsonlData.class,
                "a folder of TOFU-layout JSON-lines files: forget.jsonl, retain.jsonl, holdout.jsonl, world.jsonl",
                List.of(Param.required("dir", ParamTypes.path(), "the folder (relative to the working directory)")),
                a -> new JsonlData(a.get("dir")), j -> List.of(j.dir())));
    }

    private static Param splitParam(Split d) {
        return Param.of("split", split(), d, "the split whose batch it reads");
    }

    private static Param beta(double d) {
        return Param.of("beta", real(Range.positive()), d, "inverse temperature β");
    }

    private static void objectives(PartRegistry r) {
        r.add(Slot.OBJECTIVE, Kind.of("ga", GradientAscent.class,
                "gradient ascent: −NLL of the split's answers (Jang et al. 2023)", List.of(splitParam(Split.FORGET)),
                a -> new GradientAscent(a.get("split")), o -> List.of(o.split())));
        r.add(Slot.OBJECTIVE, Kind.of("grad_diff", GradDiff.class,
                "GradDiff: −NLL(forget) + α·NLL(retain) (Liu et al. 2022)",
                List.of(Param.of("alpha", real(Range.any()), 1.0, "retain weight α")),
                a -> new GradDiff(a.real("alpha")), o -> List.of(o.alpha())));
        r.add(Slot.OBJECTIVE, Kind.of("npo", Npo.class, "negative preference optimisation (Zhang et al. 2024)",
                List.of(beta(0.1)), a -> new Npo(a.real("beta")), o -> List.of(o.beta())));
        r.add(Slot.OBJECTIVE, Kind.of("simnpo", SimNpo.class, "SimNPO, reference-free NPO (Fan et al. 2024)",
                List.of(beta(2.5), Param.of("gamma", real(Range.any()), 0.0, "reward margin γ")),
                a -> new SimNpo(a.real("beta"), a.real("gamma")), o -> List.of(o.beta(), o.gamma())));
        r.add(Slot.OBJECTIVE, Kind.of("idk", Idk.class, "NLL of a refusal on the forget prompts (Maini et al. 2024)",
                List.of(splitParam(Split.FORGET)), a -> new Idk(a.get("split")), o -> List.of(o.split())));
        r.add(Slot.OBJECTIVE, Kind.of("dpo", Dpo.class, "DPO / IdkPO with refusals preferred (Rafailov et al. 2023)",
                List.of(beta(0.1)), a -> new Dpo(a.real("beta")), o -> List.of(o.beta())));
        r.add(Slot.OBJECTIVE, Kind.of("flat", Flat.class, "FLAT, f-divergence loss adjustment (Wang et al. 2024)",
                List.of(Param.of("divergence", ParamTypes.choice(Flat.Divergence.class),
                        Flat.Divergence.TOTAL_VARIATION, "the f-divergence")),
                a -> new Flat(a.get("divergence")), o -> List.of(o.divergence())));
        r.add(Slot.OBJECTIVE, Kind.of("kl_retain", KlRetain.class, "KL(π_ref ‖ π_θ) on the split's answers",
                List.of(Param.of("split", split(), Split.RETAIN, "the split whose batch it reads")),
                a -> new KlRetain(a.get("split")), o -> List.of(o.split())));
        r.add(Slot.OBJECTIVE, Kind.of("inverted_hinge", InvertedHinge.class, "the inverted hinge loss (LoKU)",
                List.of(splitParam(Split.FORGET)), a -> new InvertedHinge(a.get("split")), o -> List.of(o.split())));
        r.add(Slot.OBJECTIVE, Kind.of("catnip", CatnipStyle.class, "confidence-weighted token-level NPO (CATNIP-style)",
                List.of(beta(0.1), Param.of("k", real(Range.nonNegative()), 1.0, "confidence exponent k")),
                a -> new CatnipStyle(a.real("beta"), a.real("k")), o -> List.of(o.beta(), o.k())));
        r.add(Slot.OBJECTIVE, Kind.of("nll", Nll.class, "NLL of the answers of the union of the splits",
                List.of(Param.of("splits", list(split(), 1), List.of(Split.RETAIN), "the splits")),
                a -> new Nll(a.<Split>list("splits")), o -> List.of(o.splits())));
        r.add(Slot.OBJECTIVE, Kind.of("rmu", Rmu.class, "RMU representation misdirection (Li et al. 2024, WMDP §5)",
                List.of(Param.of("layer", new Layer("middle", Rmu.MIDDLE, 1), Rmu.MIDDLE, "steered block (1-based) or middle"),
                        Param.of("steering_coefficient", real(Range.positive()), 6.5, "steering coefficient c"),
                        Param.of("alpha", real(Range.nonNegative()), 100.0, "retain weight α"),
                        Param.of("seed", ParamTypes.anyLong(), 0L, "seed of the random direction")),
                a -> new Rmu(a.integer("layer"), a.real("steering_coefficient"), a.real("alpha"), a.longInteger("seed")),
                o -> List.of(o.layer(), o.steeringCoefficient(), o.alpha(), o.seed())));
        r.add(Slot.OBJECTIVE, Kind.of("concept_correction", ConceptCorrection.class,
                "concept-domain correction: a GAN game against a logistic discriminator of forget vs anchor "
                        + "representations (FORMULAS.md, diffusion seed paper)",
                List.of(Param.of("anchor", split(), Split.HOLDOUT, "the split the forget split should look like"),
                        Param.of("layer", new Layer("last", ConceptCorrection.LAST, 0), ConceptCorrection.LAST,
                                "pooled block (1-based) or last"),
                        Param.of("learning_rate", real(Range.positive()), 0.05, "discriminator learning rate η"),
                        Param.of("weight_decay", real(Range.nonNegative()), 0.001, "discriminator L2 penalty λ"),
                        Param.of("discriminator_steps", integer(1), 1, "discriminator updates per step")),
                a -> new ConceptCorrection(a.get("anchor"), a.integer("layer"), a.real("learning_rate"),
                        a.real("weight_decay"), a.integer("discriminator_steps")),
                o -> List.of(o.anchor(), o.layer(), o.learningRate(), o.weightDecay(), o.discriminatorSteps())));
        r.add(Slot.OBJECTIVE, Kind.of("conflict_projection", CombinedObjective.class,
                "forget and retain objectives with PCGrad conflict projection (Yu et al. 2020); shorthand of "
                        + "combined: {combiner: conflict_projection, parts: {forget: F, retain: {times: ...}}}",
                List.of(forgetPart(), retainPart(), retainWeight()),
                a -> Objectives.conflictProjection(a.get("forget"), a.<Objective>get("retain").times(a.real("retain_weight"))),
                StandardParts::forgetRetainValues)
                .handling(o -> o instanceof CombinedObjective c && isForgetRetain(c)
                        && c.combiner().equals(GradientCombiner.conflictProjection())));
        r.add(Slot.OBJECTIVE, Kind.of("stable_un", CombinedObjective.class,
                "forget and retain objectives with StableUN's multi-point feedback (Wu et al. 2025, §4); shorthand "
                        + "of combined: {combiner: stable_un, parts: {forget: F, retain: {times: ...}}}",
                List.of(forgetPart(), retainPart(), retainWeight(), rho(), points(), seed()),
                a -> Objectives.stableUn(a.get("forget"), a.<Objective>get("retain").times(a.real("retain_weight")),
                        a.real("rho"), a.integer("points"), a.longInteger("seed")),
                c -> {
                    StableUn s = (StableUn) c.combiner();
                    List<Object> v = new ArrayList<>(forgetRetainValues(c));
                    v.addAll(List.of(s.rho(), s.points(), s.seed()));
                    return v;
                })
                .handling(o -> o instanceof CombinedObjective c && isForgetRetain(c) && c.combiner() instanceof StableUn s
                        && s.forget().equals(ConflictProjection.FORGET) && s.retain().equals(ConflictProjection.RETAIN)));
        r.add(Slot.OBJECTIVE, Kind.of("plus", Objective.Sum.class, "the sum of the terms: plus: [a, b, ...]",
                List.of(Param.required("terms", list(part(Slot.OBJECTIVE), 2), "the objectives to add")),
                a -> {
                    List<Objective> terms = a.list("terms");
                    Objective sum = terms.get(0);
                    for (int i = 1; i < terms.size(); i++) {
                        sum = sum.plus(terms.get(i));
                    }
                    return sum;
                },
                s -> List.of(terms(s))).inlined());
        r.add(Slot.OBJECTIVE, Kind.<Objective, Objective.Scaled>of("times", Objective.Scaled.class,
                "the objective times a weight, a number or a schedule of the step",
                List.of(Param.required("weight", ParamTypes.numberOr(real(Range.any()), part(Slot.SCHEDULE)),
                                "a number, or a schedule such as {linear_decay: {lr: 1}}"),
                        Param.required("objective", part(Slot.OBJECTIVE), "the weighted objective")),
                a -> {
                    Object w = a.get("weight");
                    Objective o = a.get("objective");
                    return w instanceof Double d ? o.times(d) : o.times((Schedule) w);
                },
                s -> List.of(s.weight(), s.objective()))
                .handling(o -> o instanceof Objective.Scaled || o instanceof Objective.ScheduledWeight)
                .withValues(o -> o instanceof Objective.ScheduledWeight w ? List.of(w.weight(), w.objective())
                        : List.of(((Objective.Scaled) o).weight(), ((Objective.Scaled) o).objective())));
        r.add(Slot.OBJECTIVE, Kind.of("combined", CombinedObjective.class,
                "named objectives whose gradients a combiner combines (first-order estimators; zeroth-order ones "
                        + "see the sum of the parts)",
                List.of(Param.required("combiner", part(Slot.COMBINER), "how the parts' gradients become one direction"),
                        Param.required("parts", map(part(Slot.OBJECTIVE), 1), "name → objective, in order")),
                a -> {
                    GradientCombiner combiner = a.get("combiner");
                    Map<String, Objective> parts = a.get("parts");
                    requireParts(combiner, parts);
                    return new CombinedObjective(parts, combiner);
                },
                c -> List.of(c.combiner(), c.parts())));
    }

    private static Param forgetPart() {
        return Param.of("forget", part(Slot.OBJECTIVE), new Npo(0.1), "the forgetting part");
    }

    private static Param retainPart() {
        return Param.of("retain", part(Slot.OBJECTIVE), new KlRetain(Split.RETAIN), "the retain part");
    }

    private static Param retainWeight() {
        return Param.of("retain_weight", real(Range.any()), 1.0, "the retain part's weight");
    }

    private static Param rho() {
        return Param.of("rho", real(Range.positive()), 0.05, "neighbourhood radius ρ");
    }

    private static Param points() {
        return Param.of("points", integer(1), 1, "neighbourhood points K");
    }

    private static Param seed() {
        return Param.of("seed", ParamTypes.anyLong(), 0L, "seed of the stochastic points");
    }

    /**
     * Whether {@code c} has the shorthands' shape: parts {@code forget} then {@code retain}, the retain part a
     * constant multiple (what {@code retain.times(retain_weight)} builds), so that the shorthand reads back equal.
     */
    private static boolean isForgetRetain(CombinedObjective c) {
        return List.copyOf(c.parts().keySet()).equals(List.of(ConflictProjection.FORGET, ConflictProjection.RETAIN))
                && c.parts().get(ConflictProjection.RETAIN) instanceof Objective.Scaled;
    }

    /** forget, retain (unweighted), retain_weight of a combined objective with {@link #isForgetRetain}'s shape. */
    private static List<Object> forgetRetainValues(CombinedObjective c) {
        Objective.Scaled retain = (Objective.Scaled) c.parts().get(ConflictProjection.RETAIN);
        return List.of(c.parts().get(ConflictProjection.FORGET), retain.objective(), retain.weight());
    }

    /** The parts the built-in forget/retain combiners name must exist (they would fail at the first step). */
    private static void requireParts(GradientCombiner combiner, Map<String, Objective> parts) {
        List<String> named = combiner instanceof ConflictProjection p ? List.of(p.forget(), p.retain())
                : combiner instanceof StableUn s ? List.of(s.forget(), s.retain()) : List.of();
        for (String name : named) {
            if (!parts.containsKey(name)) {
                throw new IllegalArgumentException("the combiner needs a part named '" + name + "'; the parts are "
                        + parts.keySet());
            }
        }
    }

    private static void combiners(PartRegistry r) {
        r.add(Slot.COMBINER, Kind.of("sum", GradientCombiner.Sum.class, "the sum of the parts' gradients", List.of(),
                a -> new GradientCombiner.Sum(), c -> List.of()));
        r.add(Slot.COMBINER, Kind.of("conflict_projection", ConflictProjection.class,
                "PCGrad: the forget gradient loses its component against the retain gradient (Yu et al. 2020)",
                List.of(Param.of("forget", text(), ConflictProjection.FORGET, "the forgetting part's name"),
                        Param.of("retain", text(), ConflictProjection.RETAIN, "the retain part's name")),
                a -> new ConflictProjection(a.text("forget"), a.text("retain")), c -> List.of(c.forget(), c.retain())));
        r.add(Slot.COMBINER, Kind.of("stable_un", StableUn.class,
                "StableUN: forget gradients at K neighbourhood points, conflict-projected (Wu et al. 2025, §4)",
                List.of(Param.of("forget", text(), ConflictProjection.FORGET, "the forgetting part's name"),
                        Param.of("retain", text(), ConflictProjection.RETAIN, "the retain part's name"), rho(), points(),
                        seed()),
                a -> new StableUn(a.text("forget"), a.text("retain"), a.real("rho"), a.integer("points"),
                        a.longInteger("seed")),
                c -> List.of(c.forget(), c.retain(), c.rho(), c.points(), c.seed())));
    }

    /** The terms of a left-nested sum, flattened: ((a + b) + c) → [a, b, c]. */
    private static List<Objective> terms(Objective.Sum s) {
        List<Objective> out = new ArrayList<>();
        Objective o = s;
        while (o instanceof Objective.Sum sum) {
            out.add(0, sum.second());
            o = sum.first();
        }
        out.add(0, o);
        return out;
    }

    private static void estimators(PartRegistry r) {
        r.add(Slot.ESTIMATOR, Kind.of("first_order", FirstOrder.class, "back-propagated gradients", List.of(),
                a -> new FirstOrder(), e -> List.of()));
        r.add(Slot.ESTIMATOR, Kind.of("spsa", Spsa.class, "zeroth-order SPSA / MeZO (Malladi et al. 2023, Alg. 1)",
                List.of(Param.of("eps", real(Range.positive()), 1e-3, "perturbation size ε"),
                        Param.of("queries", integer(1), 1, "perturbations averaged"),
                        Param.of("exact_loss", bool(), true, "spend a forward pass on the unperturbed loss")),
                a -> new Spsa(a.real("eps"), a.integer("queries"), a.bool("exact_loss")),
                e -> List.of(e.eps(), e.queries(), e.exactLoss())));
        r.add(Slot.ESTIMATOR, Kind.of("sam", Sam.class, "sharpness-aware minimisation (Foret et al. 2021); ASAM "
                + "when adaptive (Kwon et al. 2021)",
                List.of(Param.of("inner", part(Slot.ESTIMATOR), new FirstOrder(), "the estimator at θ and θ + ε̂"),
                        Param.of("rho", real(Range.nonNegative()), 0.05, "neighbourhood radius ρ"),
                        Param.of("adaptive", bool(), false, "ASAM's element-wise scaling"),
                        Param.of("eta", real(Range.nonNegative()), 0.0, "ASAM's offset η")),
                a -> new Sam(a.get("inner"), a.real("rho"), a.bool("adaptive"), a.real("eta")),
                e -> List.of(e.inner(), e.rho(), e.adaptive(), e.eta())));
        r.add(Slot.ESTIMATOR, Kind.of("hybrid", Hybrid.class, "first/zeroth-order mix or alternation "
                + "(\"Downgrade to Upgrade\", 2025)",
                List.of(Param.of("first_order", part(Slot.ESTIMATOR), new FirstOrder(), "first-order estimator"),
                        Param.of("zeroth_order", part(Slot.ESTIMATOR), new Spsa(1e-3, 1, false),
                                "zeroth-order estimator"),
                        Param.of("mode", ParamTypes.choice(Hybrid.Mode.class), Hybrid.Mode.MIX, "mix or alternate"),
                        Param.of("lambda", real(Range.closed(0, 1)), 0.5, "zeroth-order weight λ (mix)"),
                        Param.of("period", longInteger(1), 1L, "one zeroth-order step in every k (alternate)")),
                a -> new Hybrid(a.<Estimator>get("first_order"), a.get("zeroth_order"), a.get("mode"), a.real("lambda"),
                        a.longInteger("period")),
                e -> List.of(e.firstOrder(), e.zerothOrder(), e.mode(), e.lambda(), e.period())));
    }

    private static void transforms(PartRegistry r) {
        Range unit = Range.closedOpen(0, 1);
        r.add(Slot.TRANSFORM, Kind.of("scale_by_adam", ScaleByAdam.class, "Adam's moment scaling (Kingma & Ba 2015)",
                List.of(Param.of("b1", real(unit), 0.9, "β₁"), Param.of("b2", real(unit), 0.999, "β₂"),
                        Param.of("eps", real(Range.nonNegative()), 1e-8, "ε")),
                a -> new ScaleByAdam(a.real("b1"), a.real("b2"), a.real("eps")), t -> List.of(t.b1(), t.b2(), t.eps())));
        r.add(Slot.TRANSFORM, Kind.of("add_decayed_weights", AddDecayedWeights.class,
                "decoupled weight decay λθ (Loshchilov & Hutter 2019)",
                List.of(Param.of("rate", real(Range.nonNegative()), 0.01, "λ")),
                a -> new AddDecayedWeights(a.real("rate")), t -> List.of(t.rate())));
        r.add(Slot.TRANSFORM, Kind.of("scale_by_learning_rate", ScaleByLearningRate.class, "u ← −η_t·u",
                List.of(Param.required("schedule", part(Slot.SCHEDULE), "η_t")),
                a -> new ScaleByLearningRate(a.get("schedule")), t -> List.of(t.schedule())));
        r.add(Slot.TRANSFORM, Kind.of("scale_by_sign", ScaleBySign.class, "u ← sign(u) (Bernstein et al. 2018)",
                List.of(Param.of("random_zeros", bool(), false, "zeros become a random ±1"),
                        Param.of("seed", ParamTypes.anyLong(), 0L, "seed of those signs")),
                a -> new ScaleBySign(a.bool("random_zeros"), a.longInteger("seed")),
                t -> List.of(t.randomZeros(), t.seed())));
        r.add(Slot.TRANSFORM, Kind.of("trace_momentum", TraceMomentum.class, "heavy-ball momentum m ← βm + u",
                List.of(Param.of("beta", real(unit), 0.9, "β"), Param.of("nesterov", bool(), false, "look ahead")),
                a -> new TraceMomentum(a.real("beta"), a.bool("nesterov")), t -> List.of(t.beta(), t.nesterov())));
        r.add(Slot.TRANSFORM, Kind.of("clip_by_global_norm", ClipByGlobalNorm.class,
                "rescale so the global norm is at most max_norm",
                List.of(Param.of("max_norm", real(Range.positive()), 1.0, "largest global norm")),
                a -> new ClipByGlobalNorm(a.real("max_norm")), t -> List.of(t.maxNorm())));
        r.add(Slot.TRANSFORM, Kind.of("scale_by_snr", ScaleBySnr.class, "scale by the gradients' signal-to-noise ratio",
                List.of(Param.of("window", integer(2), 10, "recent gradients used"),
                        Param.of("max_scale", real(Range.positive()), 10.0, "largest factor")),
                a -> new ScaleBySnr(a.integer("window"), a.real("max_scale")), t -> List.of(t.window(), t.maxScale())));
        r.add(Slot.TRANSFORM, Kind.of("freeze_except", FreezeExcept.class,
                "zero the updates of every parameter not matching a glob (h.1.mlp.*)",
                List.of(Param.required("patterns", list(text(), 1), "globs of trainable parameter names")),
                a -> new FreezeExcept(a.list("patterns")), t -> List.of(t.patterns())));
    }

    private static void schedules(PartRegistry r) {
        r.add(Slot.SCHEDULE, Kind.of("constant", Schedules.Constant.class, "η_t = η", List.of(lr()),
                a -> new Schedules.Constant(a.real("lr")), s -> List.of(s.lr())));
        r.add(Slot.SCHEDULE, Kind.of("linear_decay", Schedules.LinearDecay.class,
                "linear warm-up, then linear decay to 0 (Defazio et al. 2023)", List.of(lr(), warmup()),
                a -> new Schedules.LinearDecay(a.real("lr"), a.longInteger("warmup_steps")),
                s -> List.of(s.lr(), s.warmupSteps())));
        r.add(Slot.SCHEDULE, Kind.of("cosine", Schedules.Cosine.class,
                "linear warm-up, then half a cosine to 0 (Loshchilov & Hutter 2017)", List.of(lr(), warmup()),
                a -> new Schedules.Cosine(a.real("lr"), a.longInteger("warmup_steps")),
                s -> List.of(s.lr(), s.warmupSteps())));
        r.add(Slot.SCHEDULE, Kind.of("rewarm", Schedules.Rewarm.class,
                "re-warm and re-decay in equal phases (Ibrahim et al. 2024)",
                List.of(lr(), Param.of("min_lr", real(Range.nonNegative()), 0.0, "η at the end of each phase"),
                        warmup(), Param.of("cycles", integer(1), 1, "number of phases")),
                a -> new Schedules.Rewarm(a.real("lr"), a.real("min_lr"), a.longInteger("warmup_steps"),
                        a.integer("cycles")),
                s -> List.of(s.lr(), s.minLr(), s.warmupSteps(), s.cycles())));
        r.add(Slot.SCHEDULE, Kind.of("refined", Schedules.Refined.class,
                "η step by step, stretched to the stage (Defazio et al. 2023's refinement)",
                List.of(Param.required("rates", list(real(Range.nonNegative()), 1), "η_0 .. η_{n−1}")),
                a -> new Schedules.Refined(a.list("rates")), s -> List.of(s.rates())));
    }

    private static Param batchSize() {
        return Param.of("batch_size", integer(1), 64, "examples per forward pass");
    }

    private static void suites(PartRegistry r) {
        r.add(Slot.SUITE, Kind.of("answers", AnswerSuite.class, "NLL, probability, exact match, token accuracy",
                List.of(batchSize()), a -> new AnswerSuite(a.integer("batch_size")), s -> List.of(s.batchSize())));
        r.add(Slot.SUITE, Kind.of("tofu", TofuSuite.class, "TOFU's probability, truth ratio, ROUGE-L (Maini et al. 2024)",
                List.of(batchSize(), Param.of("max_new_tokens", integer(1), 16, "longest greedy answer")),
                a -> new TofuSuite(a.integer("batch_size"), a.integer("max_new_tokens")),
                s -> List.of(s.batchSize(), s.maxNewTokens())));
        r.add(Slot.SUITE, Kind.of("privacy", PrivacySuite.class, "membership-inference scores (MIA AUCs, PrivLeak)",
                List.of(batchSize()), a -> new PrivacySuite(a.integer("batch_size")), s -> List.of(s.batchSize())));
        r.add(Slot.SUITE, Kind.of("muse", MuseSuite.class, "MUSE's VerbMem and KnowMem (Shi et al. 2024)",
                List.of(batchSize(), Param.of("prefix_tokens", integer(1), 5, "passage tokens given as the prompt"),
                        Param.of("max_answer_tokens", integer(1), 16, "longest greedy answer for KnowMem")),
                a -> new MuseSuite(a.integer("batch_size"), a.integer("prefix_tokens"), a.integer("max_answer_tokens")),
                s -> List.of(s.batchSize(), s.prefixTokens(), s.maxAnswerTokens())));
        r.add(Slot.SUITE, Kind.of("multiple_choice", MultipleChoiceSuite.class,
                "WMDP-style 4-option accuracy by log-likelihood (Li et al. 2024)", List.of(batchSize()),
                a -> new MultipleChoiceSuite(a.integer("batch_size")), s -> List.of(s.batchSize())));
    }

    private static void attacks(PartRegistry r) {
        r.add(Slot.ATTACK, Kind.of("quantize", Quantize.class, "round-to-nearest quantization of the weights",
                List.of(Param.of("bits", integer(2, 16), 4, "bits per weight")),
                a -> new Quantize(a.integer("bits")), t -> List.of(t.bits())));
        r.add(Slot.ATTACK, Kind.of("prune", Prune.class, "magnitude pruning of each matrix",
                List.of(Param.required("sparsity", real(Range.closed(0, 1)), "fraction zeroed")),
                a -> new Prune(a.real("sparsity")), t -> List.of(t.sparsity())));
        r.add(Slot.ATTACK, Kind.of("relearn", Relearn.class, "fine-tune on a few forget examples (relearning attack)",
                List.of(Param.of("steps", longInteger(0), 20L, "fine-tuning steps"),
                        Param.of("examples", integer(1), 5, "forget examples shown"),
                        Param.of("lr", real(Range.positive()), 1e-3, "learning rate")),
                a -> new Relearn(a.longInteger("steps"), a.integer("examples"), a.real("lr")),
                t -> List.of(t.steps(), t.examples(), t.lr())));
        r.add(Slot.ATTACK, Kind.of("paraphrase", ParaphrasePrompts.class, "forget questions replaced by paraphrases",
                List.of(), a -> new ParaphrasePrompts(), t -> List.of()));
        r.add(Slot.ATTACK, Kind.of("jailbreak", JailbreakPrefix.class, "forget questions behind a jailbreak prefix",
                List.of(Param.of("prefix", text(), JailbreakPrefix.DEFAULT_PREFIX, "the prefix")),
                a -> new JailbreakPrefix(a.text("prefix")), t -> List.of(t.prefix())));
    }

    /**
     * A block number of at least {@code min}, or the word {@code word} for the constant {@code sentinel}: RMU's
     * {@code middle} ({@link Rmu#MIDDLE}), concept correction's {@code last} ({@link ConceptCorrection#LAST}).
     */
    private record Layer(String word, int sentinel, int min) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            Object v = ParamTypes.scalar(node);
            if (v instanceof String s && s.strip().equalsIgnoreCase(word)) {
                return sentinel;
            }
            return v instanceof Long l && l >= min && l <= Integer.MAX_VALUE ? (Object) l.intValue()
                    : r.expected(node, path, describe());
        }

        @Override
        public Object write(Object value, Writing w) {
            return (Integer) value == sentinel ? word : value;
        }

        @Override
        public String describe() {
            return "an integer >= " + min + " or " + word;
        }
    }
}
