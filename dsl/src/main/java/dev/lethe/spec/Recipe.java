package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.struct;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.data.DataSource;
import dev.lethe.eval.PrivacySuite;
import dev.lethe.eval.RetrainAuc;
import dev.lethe.model.ModelSpec;
import dev.lethe.part.FieldException;
import dev.lethe.part.FlowYaml;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import dev.lethe.part.PartText;
import dev.lethe.util.Names;
import dev.lethe.util.Printable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An unlearning experiment as plain, immutable, validated data: a model spec, data with forget/retain
 * splits, and an ordered list of {@link Stage}s (any order, any repetition), e.g.
 * {@code learn → reference → unlearn → attack → evaluate}, or {@code learn → unlearn → finetune → unlearn →
 * evaluate}. Build one with {@link Lethe#recipe(String)} or read one with {@link Lethe#fromYaml}; run it with
 * {@link Lethe#run(Recipe)}. The stages' names, and the names of the models they leave, follow from their
 * order ({@link #named()}).
 *
 * @param name a name for the run: not blank, no control characters, at most {@value #MAX_NAME_LENGTH} characters
 * @param seed the one seed every random stream derives from
 * @param device {@code "cpu"}, {@code "gpu"}, {@code "gpu:N"} or {@code "auto"} (a GPU when the engine sees one)
 * @param model the model spec, e.g. a {@link dev.lethe.model.GptConfig} (vocabulary size 0 = the data's
 *     tokenizer's); the run's first current model is this spec newly initialised
 * @param data the examples
 * @param stages the stages, in order (at least one)
 */
public record Recipe(String name, long seed, String device, ModelSpec model, DataSource data, List<Stage> stages) {
    /** The longest name a recipe (or a part it names) may have ({@link Names#MAX_LENGTH}). */
    public static final int MAX_NAME_LENGTH = Names.MAX_LENGTH;

    /** A whole recipe file; the defaults are those of {@link Lethe#recipe}. */
    public static final Kind<Recipe> KIND = Kind.of("recipe", Recipe.class, "an unlearning experiment",
            List.of(Param.required("name", text(), "the run's name", (Recipe x) -> x.name()),
                    Param.of("seed", ParamTypes.anyLong(), 42L, "the seed every random stream derives from", (Recipe x) -> x.seed()),
                    Param.of("device", text(), "cpu", "cpu, gpu, gpu:N or auto (a GPU when the engine sees one)",
                            (Recipe x) -> x.device()),
                    Param.required("model", part(ModelSpec.SLOT), "the model's shape", (Recipe x) -> x.model()),
                    Param.required("data", part(DataSource.SLOT), "the examples", (Recipe x) -> x.data()),
                    Param.required("stages", list(part(Stage.SLOT), 1), "the stages, in the order they run",
                            (Recipe x) -> x.stages()),
                    Param.optional("continual", struct(Continual.KIND), "evaluate every training stage (and the "
                            + "relearning attacks) continually, as a stage's own continual does; a stage that has "
                            + "its own keeps it (read into the stages, written per stage)", (Recipe x) -> null)),
            a -> {
                Recipe r = new Recipe(a.text("name"), a.longInteger("seed"), a.text("device"), a.get("model"),
                        a.get("data"), a.list("stages"));
                Continual c = a.get("continual");
                return c == null ? r : r.continually(c);
            });

    /**
     * Validates the fields and the stage list (a reference's starting model must be made before it; a model with
     * GUARD-IT steering is saved as one safetensors file, not a Hugging Face folder).
     */
    public Recipe {
        String notAName = Names.whyNotAName(name);
        if (notAName != null) {
            throw new IllegalArgumentException("name: " + notAName);
        }
        if (!device.matches("cpu|gpu|gpu:\\d{1,4}|auto")) {
            throw new IllegalArgumentException("device must be cpu, gpu, gpu:N or auto, was '" + Printable.escape(device)
                    + "' (N: a GPU's index, 0 to 9999)");
        }
        stages = List.copyOf(stages);
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("stages must hold at least one stage");
        }
        Set<String> models = new HashSet<>();
        boolean analytic = false;
        boolean steered = false;
        for (NamedStage s : name(stages)) {
            if (s.stage() instanceof AcuUnlearning && !analytic) {
                throw new IllegalArgumentException("stage " + s.name() + " forgets from the analytic head of an "
                        + "acu_learn stage, and none comes before it: add acu_learn before " + s.name());
            }
            analytic |= s.stage() instanceof AcuLearning;
            steered = s.stage() instanceof GuardIt || (steered && !(s.stage() instanceof Learn));
            if (steered && s.stage() instanceof Save save && save.folder()) {
                throw new IllegalArgumentException("stage " + s.name() + " saves '" + save.file() + "' as a Hugging "
                        + "Face folder, but the current model carries GUARD-IT steering, which no folder can hold; "
                        + "save it as a .safetensors file");
            }
            if (s.stage() instanceof Reference r && !r.from().equals(Reference.SCRATCH) && !models.contains(r.from())) {
                throw new IllegalArgumentException("stage " + s.name() + " starts from '" + r.from() + "', which no "
                        + "earlier stage makes" + (models.isEmpty() ? "" : "; the earlier models are " + models)
                        + " (or use 'scratch')");
            }
            if (s.stage() instanceof Attribution a && !a.from().equals(Reference.SCRATCH) && !models.contains(a.from())) {
                throw new IllegalArgumentException("stage " + s.name() + " trains its subset models from '" + a.from()
                        + "', which no earlier stage makes" + (models.isEmpty() ? "" : "; the earlier models are "
                        + models) + " (or use 'scratch')");
            }
            if (s.model() != null) {
                models.add(s.model());
            }
        }
    }

    /**
     * The retrained model's AUC that {@code privleak_published} is relative to: the {@code privleak_retrain_auc} of the
     * privacy suites of the evaluate stages (the attack stages evaluate with those too), or null when none gives one.
     * A run checks it before it starts (a recipe may be built with two, and changed).
     *
     * @throws FieldException naming the second suite's field when two suites give different ones (a run reports one
     *     {@code privleak_published})
     */
    public @Nullable RetrainAuc privleakRetrainAuc() {
        RetrainAuc found = null;
        String where = null;
        for (int i = 0; i < stages.size(); i++) {
            if (!(stages.get(i) instanceof Evaluation e)) {
                continue;
            }
            for (int j = 0; j < e.suites().size(); j++) {
                if (e.suites().get(j) instanceof PrivacySuite p && p.privleakRetrainAuc() != null) {
                    String here = "stages[" + i + "]." + Evaluation.KIND.name() + ".suites[" + j + "]."
                            + PrivacySuite.KIND.name() + ".privleak_retrain_auc";
                    if (found != null && !found.equals(p.privleakRetrainAuc())) {
                        throw new FieldException(here, "is " + p.privleakRetrainAuc() + " but " + where + " is " + found
                                + ": a run reports one privleak_published, against one retrain AUC; give the same one");
                    }
                    found = p.privleakRetrainAuc();
                    where = here;
                }
            }
        }
        return found;
    }

    /** The stages with their names and the names of the models they leave. */
    public List<NamedStage> named() {
        return name(stages);
    }

    /**
     * A copy in which every training stage (learn, finetune, reference, unlearn — each request of a sequential
     * one —, relearn) and every attack stage's relearning attacks are evaluated continually as {@code continual}
     * says, so the curves span the whole pipeline and {@code RunTables.continual} can compute De Lange et al.'s
     * min-ACC and WC-ACC across its stages; a stage with a continual evaluation of its own keeps it. A recipe file
     * says the same with a top-level {@code continual:}.
     */
    public Recipe continually(Continual continual) {
        List<Stage> out = new ArrayList<>();
        for (Stage s : stages) {
            boolean evaluable = s.trains() || s instanceof Attacking;
            out.add(evaluable && s.continual() == null ? s.withContinual(continual) : s);
        }
        return new Recipe(name, seed, device, model, data, out);
    }

    /**
     * What stage {@code index}'s attacked or per-request models are evaluated with: the first
     * {@link Evaluation} stage after it, or {@link Evaluation#defaults()} when none follows.
     */
    public Evaluation evaluationAfter(int index) {
        for (int i = index + 1; i < stages.size(); i++) {
            if (stages.get(i) instanceof Evaluation e) {
                return e;
            }
        }
        return Evaluation.defaults();
    }

    /**
     * The first stage of type {@code type}, e.g. {@code recipe.first(Unlearning.class)}.
     *
     * @throws IllegalArgumentException when the recipe has none
     */
    public <S extends Stage> S first(Class<S> type) {
        for (Stage s : stages) {
            if (type.isInstance(s)) {
                return type.cast(s);
            }
        }
        throw new IllegalArgumentException("recipe '" + name + "' has no " + type.getSimpleName() + " stage");
    }

    /**
     * The recipe as its file reads, compactly: a title line, then the model, the data and one numbered line per
     * stage (named as {@link #named()} names it) with every parameter, each part in YAML flow style
     * ({@link PartText}), e.g. {@code 3. unlearn: {objective: {npo: {beta: 0.1}}, optimizer: {...}, steps: 200, ...}}.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("recipe ").append(FlowYaml.string(name)).append(" (seed ").append(seed)
                .append(", device ").append(device).append(")");
        parts().forEach((part, text) -> sb.append("\n  ").append(part).append(": ").append(text));
        return sb.toString();
    }

    /**
     * What the recipe is made of, as its recipe file writes it: {@code model}, {@code data}, then one entry per stage
     * ({@code "1. learn"}, {@code "2. unlearn"}, ...) with its fields, in order.
     */
    public Map<String, String> parts() {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("model", PartText.part(ModelSpec.SLOT, model, BuiltInKinds.INSTANCE));
        parts.put("data", PartText.part(DataSource.SLOT, data, BuiltInKinds.INSTANCE));
        for (NamedStage s : named()) {
            Kind<?> kind = BuiltInKinds.INSTANCE.kinds(Stage.SLOT).get(s.stage().kind());
            parts.put((s.index() + 1) + ". " + s.name(), kind == null
                    ? PartText.part(Stage.SLOT, s.stage(), BuiltInKinds.INSTANCE)
                    : PartText.fields(kind, s.stage(), BuiltInKinds.INSTANCE));
        }
        return parts;
    }

    /** A copy with {@code newStages}. */
    public Recipe withStages(List<Stage> newStages) {
        return new Recipe(name, seed, device, model, data, newStages);
    }

    /**
     * A copy whose stage called {@code stageName} (as {@link #named()} names them: {@code unlearn},
     * {@code unlearn-2}, ...) is {@code newStage}.
     *
     * @throws IllegalArgumentException naming the recipe's stages when none is called {@code stageName}
     */
    public Recipe withStage(String stageName, Stage newStage) {
        List<Stage> changed = new ArrayList<>(stages);
        changed.set(indexOf(stageName), newStage);
        return withStages(changed);
    }

    /**
     * A copy whose stage called {@code stageName}, a {@code type}, is what {@code change} makes of it, e.g.
     * {@code recipe.withStage("unlearn", Unlearning.class, u -> u.withObjective(simNpo()).withSteps(50))}
     * (Kotlin: {@code recipe.withStage<Unlearning>("unlearn") { it.withObjective(simNpo()) }}).
     *
     * @throws IllegalArgumentException naming the recipe's stages when none is called {@code stageName}, or when
     *     it is not a {@code type}
     */
    public <S extends Stage> Recipe withStage(String stageName, Class<S> type, UnaryOperator<S> change) {
        Stage stage = stages.get(indexOf(stageName));
        if (!type.isInstance(stage)) {
            throw new IllegalArgumentException("recipe '" + name + "': stage " + stageName + " is a " + stage.kind()
                    + " stage (" + stage.getClass().getSimpleName() + "), not " + type.getSimpleName());
        }
        return withStage(stageName, change.apply(type.cast(stage)));
    }

    private int indexOf(String stageName) {
        List<NamedStage> named = named();
        for (NamedStage s : named) {
            if (s.name().equals(stageName)) {
                return s.index();
            }
        }
        throw new IllegalArgumentException("recipe '" + name + "' has no stage called '" + Printable.escape(stageName)
                + "'; its stages are " + named.stream().map(NamedStage::name).toList());
    }

    private static List<NamedStage> name(List<Stage> stages) {
        Map<String, Integer> kinds = new HashMap<>();
        Map<String, Integer> models = new HashMap<>();
        List<NamedStage> out = new ArrayList<>(stages.size());
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            int k = kinds.merge(s.kind(), 1, Integer::sum);
            ModelRole role = s.produces();
            String model = role == null ? null : role.baseName();
            if (model != null) {
                int m = models.merge(model, 1, Integer::sum);
                model = m == 1 ? model : model + "-" + m;
            }
            out.add(new NamedStage(i, k == 1 ? s.kind() : s.kind() + "-" + k, s, model));
        }
        return out;
    }
}
