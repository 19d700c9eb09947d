package dev.lethe.part;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lethe.attack.Attacks;
import dev.lethe.part.Kind;
import dev.lethe.part.Node;
import dev.lethe.part.Param;
import dev.lethe.part.Problem;
import dev.lethe.part.Reading;
import dev.lethe.part.Slot;
import dev.lethe.part.Writing;
import dev.lethe.recipe.NodeReader;
import dev.lethe.recipe.PartRegistry;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.recipe.RecipeException;
import dev.lethe.recipe.YamlWriter;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Stage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of recipe files over generated recipes: every valid one round-trips, and every malformed one
 * (a valid one with a required key deleted, a key or part name misspelt, a value of the wrong type or out of
 * range, or garbage text) is rejected with a {@link RecipeException} that names the field and line, never with
 * another exception: 6 × 100 malformed files per run. Each property runs over 100 fixed seeds (JUnit
 * parameterized tests over {@link #seeds()} and {@link #strings()}), so a failure names its seed and reproduces.
 */
class RecipePropertiesTest {
    private static final int TRIES = 100;
    private static final RecipeCodec CODEC = RecipeCodec.standard();
    private static final Map<String, Object> OUT_OF_RANGE = outOfRange();

    /** 100 well-spread seeds. */
    static LongStream seeds() {
        return LongStream.range(0, TRIES).map(i -> i * 0x9E3779B97F4A7C15L);
    }

    /**
     * 100 strings of up to 200 characters mixing ASCII, white space, control characters, YAML's and JSON's
     * special characters, accented letters, CJK and astral-plane characters (surrogate pairs).
     */
    static Stream<String> strings() {
        String[] pieces = {"a", "Z", "7", " ", "\t", "\n", "\r", ":", "-", "#", "{", "}", "[", "]", ",", "\"", "'",
            "&", "*", "!", "|", ">", "%", "@", "`", "\\", "\u0000", "\u0007", "\u001b", "é", "ß", "中", "\uD83D\uDE00",
            "~", "null", "true", "1e5", "0x1F", ".nan", "---", "..."};
        return seeds().mapToObj(seed -> {
            Random random = new Random(seed);
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(random.nextBoolean() ? 12 : 200);
            while (sb.length() < length) {
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            return sb.length() > 200 ? sb.substring(0, 200) : sb.toString();
        });
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void generatedRecipesRoundTripExactly(long seed) {
        Recipe r = new RandomRecipes(seed).recipe();
        String yaml = CODEC.write(r);
        Recipe back = CODEC.read(yaml, "r.yaml");
        assertEquals(r, back, yaml);
        assertEquals(yaml, CODEC.write(back));
    }

    /**
     * Every kind of every slot, drawn 20 times with random parameters of its types, is written and read back
     * equal on its own: a new kind is fuzzed here without anyone editing a generator.
     */
    @Test
    void everyKindRoundTripsWithRandomParameters() {
        PartRegistry registry = CODEC.registry();
        RandomRecipes random = new RandomRecipes(7, registry);
        int checked = 0;
        for (Slot<?> slot : registry.slots()) {
            for (Kind<?> kind : registry.kinds(slot).values()) {
                for (int i = 0; i < 20; i++) {
                    Object part = random.part(kind, 2);
                    String yaml = YamlWriter.write(Map.of("part", new Writing(registry).part(slot, part)));
                    Reading reading = new Reading("p.yaml", registry);
                    Object back = reading.part(slot, ((Node.MapNode) NodeReader.read(yaml, "p.yaml")).entries()
                            .get("part"), "part");
                    assertEquals(List.of(), reading.problems(), yaml);
                    assertEquals(part, back, yaml);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 20 * 40, "only " + checked + " parts");
    }

    @ParameterizedTest
    @MethodSource("strings")
    void anyStringRoundTrips(String text) {
        Recipe r = new RandomRecipes(text.hashCode()).recipe();
        List<Stage> stages = new ArrayList<>(r.stages());
        stages.add(Attacking.of(Attacks.jailbreak(text)));
        Recipe withText = new Recipe(safeName(text), r.seed(), r.device(), r.model(), r.data(), stages);
        String yaml = CODEC.write(withText);
        assertEquals(withText, CODEC.read(yaml, "s.yaml"), yaml);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aDeletedRequiredKeyIsReportedAsMissing(long seed) {
        Mutant m = Mutant.of(seed);
        Set<String> required = requiredKeys();
        Site s = m.pick(site -> site.key() instanceof String k && required.contains(site.context() + "/" + k));
        ((Map<?, ?>) s.parent()).remove(s.key());
        RecipeException e = m.rejected();
        expectProblem(e, p -> p.path().equals(s.path()) && p.message().startsWith("missing key '" + s.key() + "'"), m);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aMisspeltKeyOrPartNameIsReportedWithASuggestion(long seed) {
        Mutant m = Mutant.of(seed);
        Set<String> known = knownNames();
        // a combined objective's part names are the file's own names: a misspelt one is just another name
        Site s = m.pick(site -> site.key() instanceof String && !site.isCombinedPartName());
        String key = (String) s.key();
        String typo = m.misspell(key, known);
        m.renameKey(s, typo);
        RecipeException e = m.rejected();
        String parent = s.parentPath();
        expectProblem(e, p -> (p.path().equals(Reading.join(parent, typo)) || p.path().equals(parent))
                && p.message().contains("did you mean") && p.message().contains("'" + key + "'"), m);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aValueOfTheWrongTypeIsReported(long seed) {
        Mutant m = Mutant.of(seed);
        Site s = m.pick(site -> true);
        Object replacement = s.value() instanceof Map<?, ?> || s.value() instanceof List<?> ? Map.of("oops", 1)
                : s.value() instanceof Number && m.random.nextBoolean() ? "abc" : List.of("x", "y");
        if (s.value() instanceof Map<?, ?>) {
            // not a number: a mapping may stand where a number is also accepted (a weight: a constant or a schedule)
            replacement = List.of(42);
        }
        m.set(s, replacement);
        RecipeException e = m.rejected();
        expectProblem(e, p -> p.path().startsWith(s.path()), m);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aValueOutOfRangeIsReportedWithTheRange(long seed) {
        Predicate<Site> ranged = site -> site.key() instanceof String k && OUT_OF_RANGE.containsKey(k)
                && site.value() instanceof Number;
        Mutant m = Mutant.having(seed, ranged);
        Site s = m.pick(ranged);
        m.set(s, OUT_OF_RANGE.get((String) s.key()));
        RecipeException e = m.rejected();
        expectProblem(e, p -> p.path().equals(s.path()) && p.message().startsWith("expected "), m);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aControlCharacterAnywhereIsASyntaxError(long seed) {
        Mutant m = Mutant.of(seed);
        String text = CODEC.write(m.recipe);
        int at = m.random.nextInt(text.length() + 1);
        String bad = text.substring(0, at) + (char) (1 + m.random.nextInt(8)) + text.substring(at);
        try {
            CODEC.read(bad, "g.yaml");
            fail("accepted:\n" + bad);
        } catch (RecipeException e) {
            assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("strings")
    void garbageIsRejectedWithARecipeException(String garbage) {
        try {
            CODEC.read(garbage, "g.yaml");
            fail("accepted: " + garbage);
        } catch (RecipeException e) {
            assertFalse(e.problems().isEmpty());
            assertTrue(e.getMessage().contains("g.yaml:"), e.getMessage());
        }
    }

    private static void expectProblem(RecipeException e, Predicate<Problem> wanted, Mutant m) {
        for (Problem p : e.problems()) {
            if (wanted.test(p)) {
                assertTrue(p.line() > 0, p.toString());
                assertTrue(p.toString().startsWith("m.yaml:" + p.line() + ":"), p.toString());
                return;
            }
        }
        fail("no problem as expected in\n" + e.getMessage() + "\nfor\n" + m.text());
    }

    /** "context/key" for every required parameter: context is the kind's name, or the field holding a struct. */
    private static Set<String> requiredKeys() {
        Set<String> out = new HashSet<>();
        PartRegistry registry = CODEC.registry();
        for (Slot<?> slot : registry.slots()) {
            for (Kind<?> k : registry.kinds(slot).values()) {
                k.params().stream().filter(p -> p.required() && !k.inline()).forEach(p -> out.add(k.name() + "/" + p.name()));
            }
        }
        Map<String, Kind<?>> structs = Map.of("", Recipe.KIND, "optimizer", dev.lethe.optim.Optimizer.KIND,
                "adapters", dev.lethe.adapter.Lora.KIND, "continual", dev.lethe.spec.Continual.KIND);
        structs.forEach((field, k) -> k.params().stream().filter(Param::required)
                .forEach(p -> out.add(field + "/" + p.name())));
        return out;
    }

    /** {@code text} as a valid recipe name: not blank, control characters replaced. */
    private static String safeName(String text) {
        StringBuilder clean = new StringBuilder();
        text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .takeWhile(c -> clean.length() + Character.charCount(c) < Recipe.MAX_NAME_LENGTH)
                .forEach(clean::appendCodePoint);
        return clean.toString().isBlank() ? "x" + clean : clean.toString();
    }

    private static Set<String> knownNames() {
        Set<String> out = new HashSet<>();
        PartRegistry registry = CODEC.registry();
        for (Slot<?> slot : registry.slots()) {
            for (Kind<?> k : registry.kinds(slot).values()) {
                out.add(k.name());
                out.addAll(k.keys());
            }
        }
        for (Kind<?> k : PartRegistry.RECORDS) {
            out.addAll(k.keys());
        }
        return out;
    }

    private static Map<String, Object> outOfRange() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("beta", "lr", "eps", "rho", "eta", "k", "rate", "min_lr", "holdout_people", "diverge_above",
                "warmup_steps", "steps")) {
            m.put(k, -1);
        }
        for (String k : List.of("batch_size", "queries", "period", "layers", "width", "heads", "context_length",
                "max_norm", "max_scale", "cycles", "examples", "max_new_tokens", "prefix_tokens", "max_answer_tokens", "every",
                "requests", "steering_coefficient")) {
            m.put(k, 0);
        }
        m.putAll(Map.of("lambda", 2, "bits", 25, "sparsity", 1.5, "people", 1, "forget_fraction", 1.0,
                "facts_per_person", 7, "world_countries", 201, "dropout", 1.0, "b1", 1.0, "b2", 1.5));
        m.put("window", 1);
        return m;
    }

    /**
     * A place in the data tree of a recipe.
     *
     * @param parent the map or list holding it
     * @param key its key (String) or index (Integer)
     * @param parts the path from the root
     * @param value the value there
     */
    record Site(Object parent, Object key, List<Object> parts, Object value) {
        String path() {
            return render(parts);
        }

        boolean isCombinedPartName() {
            int n = parts.size();
            return n >= 3 && "parts".equals(parts.get(n - 2)) && "combined".equals(parts.get(n - 3));
        }

        String parentPath() {
            return render(parts.subList(0, parts.size() - 1));
        }

        /** The nearest enclosing map key (kind name or struct field), "" at the root. */
        String context() {
            for (int i = parts.size() - 2; i >= 0; i--) {
                if (parts.get(i) instanceof String s) {
                    return s;
                }
            }
            return "";
        }

        private static String render(List<Object> parts) {
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
                if (p instanceof Integer i) {
                    sb.append('[').append(i).append(']');
                } else {
                    sb.append(sb.length() == 0 ? "" : ".").append(p);
                }
            }
            return sb.toString();
        }
    }

    /** A generated recipe's data tree, mutable, with a random source for choosing mutations. */
    static final class Mutant {
        final Random random;
        final Recipe recipe;
        final Map<String, Object> root;

        private Mutant(long seed) {
            random = new Random(seed);
            recipe = new RandomRecipes(random.nextLong()).recipe();
            root = copy(CODEC.data(recipe));
        }

        static Mutant of(long seed) {
            return new Mutant(seed);
        }

        /**
         * The first recipe from {@code seed} on (seed, seed + 1, ...) with a site {@code which} accepts: a recipe of
         * parts without numbers (a model folder, a jsonl folder, save stages) has none to put out of range.
         */
        static Mutant having(long seed, Predicate<Site> which) {
            for (long s = seed; ; s++) {
                Mutant m = of(s);
                List<Site> all = new ArrayList<>();
                collect(m.root, new ArrayList<>(), all);
                if (all.stream().anyMatch(which)) {
                    return m;
                }
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> T copy(Object o) {
            if (o instanceof Map<?, ?> m) {
                Map<String, Object> c = new LinkedHashMap<>();
                m.forEach((k, v) -> c.put((String) k, v == null ? null : copy(v)));
                return (T) c;
            }
            if (o instanceof List<?> l) {
                List<Object> c = new ArrayList<>();
                l.forEach(v -> c.add(copy(v)));
                return (T) c;
            }
            return (T) o;
        }

        Site pick(Predicate<Site> which) {
            List<Site> all = new ArrayList<>();
            collect(root, new ArrayList<>(), all);
            List<Site> ok = all.stream().filter(which).toList();
            if (ok.isEmpty()) {
                throw new IllegalStateException("no site to mutate in\n" + text());
            }
            return ok.get(random.nextInt(ok.size()));
        }

        private static void collect(Object node, List<Object> parts, List<Site> out) {
            if (node instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    List<Object> p = new ArrayList<>(parts);
                    p.add(e.getKey());
                    out.add(new Site(m, e.getKey(), p, e.getValue()));
                    collect(e.getValue(), p, out);
                }
            } else if (node instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    List<Object> p = new ArrayList<>(parts);
                    p.add(i);
                    out.add(new Site(l, i, p, l.get(i)));
                    collect(l.get(i), p, out);
                }
            }
        }

        @SuppressWarnings("unchecked")
        void set(Site s, Object value) {
            if (s.parent() instanceof Map<?, ?> m) {
                ((Map<Object, Object>) m).put(s.key(), value);
            } else {
                ((List<Object>) s.parent()).set((Integer) s.key(), value);
            }
        }

        /** Renames a key in place, keeping the order of the map. */
        @SuppressWarnings("unchecked")
        void renameKey(Site s, String newKey) {
            Map<String, Object> m = (Map<String, Object>) s.parent();
            Map<String, Object> renamed = new LinkedHashMap<>();
            m.forEach((k, v) -> renamed.put(k.equals(s.key()) ? newKey : k, v));
            m.clear();
            m.putAll(renamed);
        }

        /** One edit (distance 1) that is no known name. */
        String misspell(String name, Set<String> known) {
            for (int tries = 0; tries < 100; tries++) {
                int at = random.nextInt(name.length());
                char c = (char) ('a' + random.nextInt(26));
                String typo = switch (random.nextInt(name.length() > 3 ? 3 : 2)) {
                    case 0 -> name.substring(0, at) + c + name.substring(at + 1);
                    case 1 -> name.substring(0, at) + c + name.substring(at);
                    default -> name.substring(0, at) + name.substring(at + 1);
                };
                if (!typo.equals(name) && !known.contains(typo)) {
                    return typo;
                }
            }
            throw new IllegalStateException("cannot misspell " + name);
        }

        String text() {
            return YamlWriter.write(root);
        }

        RecipeException rejected() {
            String text = text();
            try {
                Recipe r = CODEC.read(text, "m.yaml");
                throw new AssertionError("accepted a malformed recipe:\n" + text + "\nas " + r);
            } catch (RecipeException e) {
                return e;
            }
        }
    }
}
