package dev.lethe.part;

import dev.lethe.data.DataSource;
import dev.lethe.model.ModelSpec;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamType;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.Slot;
import dev.lethe.recipe.PartRegistry;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Attribution;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.Learn;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Save;
import dev.lethe.spec.Stage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Random valid recipes for the property tests. The parts of every slot are drawn from the registry's kinds:
 * a random kind, each parameter a random valid value of its {@link ParamType} (nested parts recursively), so a
 * new kind is fuzzed as soon as its slot's vocabulary lists it; stages are parts too. Only the recipe record
 * itself is built by hand, with a fix-up that keeps a reference's starting model among the earlier stages'.
 */
final class RandomRecipes {
    /** Tries to draw parameters a kind's constructor accepts (cross-field checks such as width % heads). */
    private static final int TRIES = 200;
    /** Names a text parameter or a map key takes often, so combiners find the parts they name. */
    private static final List<String> COMMON_NAMES = List.of("forget", "retain");

    private final Random random;
    private final PartRegistry registry;

    RandomRecipes(long seed) {
        this(seed, PartRegistry.standard());
    }

    RandomRecipes(long seed, PartRegistry registry) {
        this.random = new Random(seed);
        this.registry = registry;
    }

    Recipe recipe() {
        List<Stage> stages = new ArrayList<>();
        List<String> models = new ArrayList<>();
        boolean steered = false;
        for (int i = 1 + random.nextInt(6); i > 0; i--) {
            Stage stage = stage(models, stages.stream().anyMatch(AcuLearning.class::isInstance));
            if (steered && stage instanceof Save save && save.folder()) {
                stage = new Save(save.file() + ".safetensors");   // a steered model saves to a file only
            }
            steered = stage instanceof GuardIt || (steered && !(stage instanceof Learn));
            stages.add(stage);
            if (stage.produces() != null) {
                models.add(stage.produces().baseName());
            }
        }
        return new Recipe(word(), random.nextLong(), random.nextBoolean() ? "cpu" : "gpu:" + random.nextInt(4),
                part(ModelSpec.SLOT, 1), part(DataSource.SLOT, 1), stages);
    }

    /**
     * A random stage of any kind, drawn like every other part; a reference (and an attribute stage's subset models)
     * starts from scratch or from a model in {@code models} (made before it); an {@code acu_unlearn} comes after an
     * {@code acu_learn} ({@code analytic}), or is drawn again as one.
     */
    private Stage stage(List<String> models, boolean analytic) {
        Stage s = part(Stage.SLOT, 3);
        if (s instanceof AcuUnlearning && !analytic) {
            return AcuLearning.defaults().withExpansion(1 + random.nextInt(64));
        }
        if (s instanceof Reference && random.nextInt(4) == 0) {
            // the kind's other form: hf alone (random draws give every parameter, so they never make it)
            return HfReference.at(Path.of("models", word()));
        }
        if (s instanceof Reference r && !models.contains(r.from())) {
            String from = models.isEmpty() || random.nextBoolean() ? Reference.SCRATCH
                    : models.get(random.nextInt(models.size()));
            return new Reference(r.training(), r.splits(), r.texts(), from, r.continual());
        }
        if (s instanceof Attribution a && !models.contains(a.from())) {
            return a.withFrom(models.isEmpty() || random.nextBoolean() ? Reference.SCRATCH
                    : models.get(random.nextInt(models.size())));
        }
        return s;
    }

    /** A random part of {@code slot}, nesting other parts at most {@code depth} deep. */
    @SuppressWarnings("unchecked")
    <T> T part(Slot<T> slot, int depth) {
        List<Kind<?>> kinds = registry.kinds(slot).values().stream()
                .filter(k -> depth > 0 || k.params().stream().noneMatch(p -> nests(p.type()))).toList();
        return (T) part(kinds.get(random.nextInt(kinds.size())), depth);
    }

    /** A part of {@code kind} with random valid parameters. */
    Object part(Kind<?> kind, int depth) {
        RuntimeException last = null;
        for (int t = 0; t < TRIES; t++) {
            Map<String, @Nullable Object> values = new LinkedHashMap<>();
            for (Param p : kind.params()) {
                values.put(p.name(), value(p.type(), depth - 1));
            }
            try {
                return kind.create(values);
            } catch (IllegalArgumentException | IllegalStateException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no valid " + kind.name() + " in " + TRIES + " draws", last);
    }

    /** A random value {@code type} reads (null only for an optional value). */
    private @Nullable Object value(ParamType type, int depth) {
        if (type instanceof ParamTypes.Whole w) {
            if (w.min() == Long.MIN_VALUE) {
                return random.nextLong();
            }
            long span = w.max() - w.min();
            long v = w.min() + random.nextInt(span < 0 || span >= 49 ? 50 : (int) span + 1);
            return w.isInt() ? (Object) (int) v : (Object) v;
        }
        if (type instanceof ParamTypes.Real r) {
            double v = real(r.range());
            return r.isFloat() ? (Object) (float) v : (Object) v;
        }
        if (type instanceof ParamTypes.Bool) {
            return random.nextBoolean();
        }
        if (type instanceof ParamTypes.Text) {
            return name();
        }
        if (type instanceof ParamTypes.FileName f) {
            return word() + "/" + word() + f.suffix();
        }
        if (type instanceof ParamTypes.PathType) {
            return Path.of("data", word());
        }
        if (type instanceof ParamTypes.Choice<?> c) {
            Object[] constants = c.type().getEnumConstants();
            return constants[random.nextInt(constants.length)];
        }
        if (type instanceof ParamTypes.ListType l) {
            List<@Nullable Object> out = new ArrayList<>();
            for (int i = l.minSize() + random.nextInt(3); i > 0; i--) {
                out.add(value(l.item(), depth));
            }
            return out;
        }
        if (type instanceof ParamTypes.MapType m) {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            for (int i = m.minSize() + random.nextInt(3); i > 0; i--) {
                out.put(name(), value(m.value(), depth));
            }
            return out;
        }
        if (type instanceof ParamTypes.PartType p) {
            return part(p.slot(), depth);
        }
        if (type instanceof ParamTypes.Struct st) {
            return part(st.kind(), depth);
        }
        if (type instanceof ParamTypes.OrNull o) {
            return random.nextBoolean() ? null : value(o.type(), depth);
        }
        if (type instanceof ParamTypes.NumberOr n) {
            return value(random.nextBoolean() ? n.number() : n.other(), depth);
        }
        if (type instanceof ParamTypes.Layer l) {
            return random.nextBoolean() ? List.copyOf(l.words().values()).get(random.nextInt(l.words().size()))
                    : l.min() + random.nextInt(4);
        }
        throw new IllegalArgumentException("no random values of " + type + " (a " + type.getClass().getName()
                + "): teach RandomRecipes.value this type");
    }

    /** Whether a value of {@code type} holds a part (so a draw at depth 0 avoids it). */
    private static boolean nests(ParamType type) {
        return type instanceof ParamTypes.PartType || type instanceof ParamTypes.Struct
                || type instanceof ParamTypes.ListType l && nests(l.item())
                || type instanceof ParamTypes.MapType m && nests(m.value())
                || type instanceof ParamTypes.OrNull o && nests(o.type())
                || type instanceof ParamTypes.NumberOr n && (nests(n.number()) || nests(n.other()));
    }

    /** A number in {@code range}, a multiple of 1/1000 within ±10 of its finite bounds. */
    private double real(Range range) {
        double lo = Double.isFinite(range.min()) ? range.min() : Double.isFinite(range.max()) ? range.max() - 10 : -10;
        double hi = Double.isFinite(range.max()) ? range.max() : lo + 10;
        for (int t = 0; t < 1000; t++) {
            double v = Math.round((lo + (hi - lo) * random.nextDouble()) * 1000) / 1000.0;
            if (range.contains(v)) {
                return v;
            }
        }
        throw new IllegalStateException("no number in " + range);
    }

    /** A name: often one the built-in combiners look for, else a random word. */
    private String name() {
        return random.nextInt(3) > 0 ? COMMON_NAMES.get(random.nextInt(COMMON_NAMES.size())) : word();
    }

    private String word() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + random.nextInt(10); i > 0; i--) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }
}
