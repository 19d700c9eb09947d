package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each family Lethe supports against Hugging Face {@code transformers} itself: for every case of
 * {@code bench/python/hf_reference.py} whose {@code model_type} (the case name's prefix) has an {@link HfFamily},
 * a tiny random model saved by {@code save_pretrained} (F32, F16 or BF16, single or sharded) loads through
 * {@link HfFolder} to logits within 1e-4 of {@code transformers}' (computed in float32 from the same stored
 * weights) and the same 40-token greedy continuation, with the prefix recomputed at each step (against
 * {@code generate(use_cache=False)}) and, where the architecture has one, with the KV cache (against
 * {@code generate}); saving it (in its own dtype and sharding) and loading again gives identical logits, and
 * {@code transformers} reads the saved folder to logits within 1e-5 of its own (checked for all cases at once,
 * after them). Cases of families Lethe lacks are skipped with a message. The
 * cases are built by one Python process before the tests, and the saved folders read by one after them, so that
 * torch's start-up is paid twice, not twice per case.
 *
 * <p>{@code bench/arch-check.sh} runs this class on cases it built ({@code LETHE_ARCH_CHECK_CASES}: a folder of
 * case folders) and collects one line per case ({@code LETHE_ARCH_CHECK_REPORT}: a file the lines are appended
 * to): {@code <case> max|Δlogit| <value> greedy-40 <same|differs>}.
 */
class ArchitectureCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = "hf_reference.py";
    private static final double LOGIT_BOUND = 1e-4;
    private static final double SAVED_BOUND = 1e-5;
    /** The shard size of {@code hf_reference.py}'s sharded cases, 20KB, used again when Lethe saves them. */
    private static final long SHARD_BYTES = 20_000;

    /** Where the cases are (built here, or by {@code bench/arch-check.sh}) and where Lethe saves them again. */
    @TempDir
    static Path shared;
    private static @Nullable List<String> cases;
    private static Path caseRoot;
    /** Lethe's saved folder of each case, for one {@code hf_reference.py logits} run after the cases. */
    private static final Map<String, Saved> SAVED = new LinkedHashMap<>();

    /** A folder Lethe saved, the tokens to feed {@code transformers}, and {@code transformers}' own logits. */
    private record Saved(Path folder, String tokens, float[] expected) {}

    static synchronized Stream<String> cases() {
        if (cases == null) {
            String prebuilt = System.getenv("LETHE_ARCH_CHECK_CASES");
            if (prebuilt != null) {
                try (Stream<Path> dirs = Files.list(Path.of(prebuilt))) {
                    cases = dirs.filter(d -> Files.isRegularFile(d.resolve("reference.json")))
                            .map(d -> d.getFileName().toString()).sorted().toList();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                cases = ReferencePython.run(SCRIPT, 120, "cases").lines().map(String::strip)
                        .filter(s -> !s.isEmpty()).toList();
            }
        }
        return cases.stream();
    }

    /** Builds every case of a supported family with one Python process (unless arch-check.sh built them). */
    @BeforeAll
    static void makeCases() {
        String prebuilt = System.getenv("LETHE_ARCH_CHECK_CASES");
        if (prebuilt != null) {
            caseRoot = Path.of(prebuilt);
            return;
        }
        caseRoot = shared.resolve("cases");
        List<String> args = new ArrayList<>(List.of("make", "--out", caseRoot.toString()));
        List<String> supported = cases().filter(c -> HfFamilies.supports(modelType(c))).toList();
        supported.forEach(c -> args.addAll(List.of("--case", c)));
        if (supported.size() == 1) {
            args.set(2, caseRoot.resolve(supported.get(0)).toString());
        }
        if (!supported.isEmpty()) {
            ReferencePython.run(SCRIPT, 120 + 60L * supported.size(), args.toArray(String[]::new));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lethesFamilyMatchesTransformers(String name) throws IOException {
        String modelType = modelType(name);
        if (!HfFamilies.supports(modelType)) {
            report(name + " skipped: model_type " + modelType + " is not supported yet (supported: "
                    + String.join(", ", HfFamilies.modelTypes()) + ")");
            assumeTrue(false, name + ": no HfFamily reads model_type " + modelType + " yet");
        }
        Path folder = caseRoot.resolve(name);
        JsonNode reference = JSON.readTree(folder.resolve("reference.json").toFile());
        long[] tokens = longs(reference.get("tokens").get(0));
        float[] expected = floats(reference.get("logits"));
        long[] prompt = longs(reference.get("greedy_prompt"));
        long[] greedy = longs(reference.get("greedy"));
        long[] greedyUncached = reference.has("greedy_uncached") ? longs(reference.get("greedy_uncached")) : greedy;
        String dtype = reference.path("dtype").asText("float32");

        Path saved = shared.resolve("saved").resolve(name);
        float[] loaded;
        try (HfFolder.Pretrained p = HfFolder.load(folder, Device.cpu())) {
            loaded = logits(p.model(), tokens);
            double maxDiff = maxAbsDiff(expected, loaded);
            long[] continuation = greedy(p.model(), prompt, greedy.length);
            long[] cached = p.model().architecture().supportsKvCache() ? cachedGreedy(p.model(), prompt, greedy.length)
                    : greedy;
            boolean sameGreedy = Arrays.equals(greedyUncached, continuation) && Arrays.equals(greedy, cached);
            report(String.format(Locale.ROOT, "%s max|Δlogit| %.2e greedy-40 %s", name, maxDiff,
                    sameGreedy ? "same" : "differs"));
            assertTrue(maxDiff <= LOGIT_BOUND, name + ": max |Δlogit| " + maxDiff + " > " + LOGIT_BOUND);
            assertArrayEquals(greedyUncached, continuation, name + ": greedy continuation, prefix recomputed");
            assertArrayEquals(greedy, cached, name + ": greedy continuation with the KV cache");
            HfFolder.SaveOptions options = HfFolder.SaveOptions.defaults().withSource(folder)
                    .withDtype(switch (dtype) {
                        case "float16" -> HfFolder.Dtype.F16;
                        case "bfloat16" -> HfFolder.Dtype.BF16;
                        default -> HfFolder.Dtype.F32;
                    })
                    .withMaxShardBytes(name.contains("sharded") ? SHARD_BYTES : 0);
            HfFolder.save(saved, p.model(), p.tokenizer(), options);
        }
        try (HfFolder.Pretrained again = HfFolder.load(saved, Device.cpu())) {
            assertArrayEquals(loaded, logits(again.model(), tokens), name + ": load -> save -> load");
        }
        if (name.contains("sharded")) {
            assertTrue(Files.exists(saved.resolve(HfWeights.INDEX)), name + ": saved sharded");
        }
        JsonNode config = JSON.readTree(saved.resolve(HfConfig.FILE).toFile());
        assertEquals(dtype, config.path("dtype").asText(), name + ": config.json names the dtype written");
        assertEquals(JSON.readTree(folder.resolve(HfConfig.FILE).toFile()).get("architectures"),
                config.get("architectures"), name + ": fields of the source config are kept");
        synchronized (SAVED) {
            SAVED.put(name, new Saved(saved, Arrays.stream(tokens).mapToObj(Long::toString)
                    .collect(Collectors.joining(",")), expected));
        }
    }

    /** {@code transformers} reads every folder Lethe saved to its own logits (1e-5), in one Python run per token row. */
    @AfterAll
    static void transformersReadsLethesFolders() throws IOException {
        List<String> misses = new ArrayList<>();
        Map<String, List<String>> byTokens = new LinkedHashMap<>();
        SAVED.forEach((name, s) -> byTokens.computeIfAbsent(s.tokens(), t -> new ArrayList<>()).add(name));
        for (Map.Entry<String, List<String>> group : byTokens.entrySet()) {
            List<String> args = new ArrayList<>(List.of("logits", "--tokens", group.getKey()));
            for (String name : group.getValue()) {
                args.addAll(List.of("--model", SAVED.get(name).folder().toString(), "--out",
                        shared.resolve(name + ".logits.json").toString()));
            }
            ReferencePython.run(SCRIPT, 120 + 30L * group.getValue().size(), args.toArray(String[]::new));
            for (String name : group.getValue()) {
                JsonNode read = JSON.readTree(shared.resolve(name + ".logits.json").toFile());
                double diff = maxAbsDiff(SAVED.get(name).expected(), floats(read.get("logits")));
                if (diff > SAVED_BOUND) {
                    misses.add(name + " (" + diff + ")");
                }
            }
        }
        assertTrue(misses.isEmpty(), "transformers reads Lethe's saved folders to logits more than " + SAVED_BOUND
                + " away from its own: " + misses);
    }

    /** The {@code model_type} a case is of: its name up to the first {@code -}. */
    private static String modelType(String caseName) {
        return caseName.substring(0, caseName.indexOf('-'));
    }

    /** The logits of {@code tokens} (one row), flattened: (1, T, V) → T·V values. */
    private static float[] logits(CausalLm model, long[] tokens) {
        try (NDScope scope = new NDScope()) {
            NDArray ids = model.manager().create(tokens, new Shape(1, tokens.length));
            return model.forward(ids).logits().toFloatArray();
        }
    }

    /** {@code count} greedy tokens after {@code prompt}: the argmax of the last position, the whole prefix recomputed. */
    private static long[] greedy(CausalLm model, long[] prompt, int count) {
        List<Long> sequence = new ArrayList<>();
        for (long t : prompt) {
            sequence.add(t);
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            long[] ids = sequence.stream().mapToLong(Long::longValue).toArray();
            try (NDScope scope = new NDScope()) {
                NDArray logits = model.forward(model.manager().create(ids, new Shape(1, ids.length))).logits();
                out[i] = logits.get(0, ids.length - 1).argMax().getLong();
            }
            sequence.add(out[i]);
        }
        return out;
    }

    /** {@code count} greedy tokens after {@code prompt} by the cached forward pass, one token per step. */
    private static long[] cachedGreedy(CausalLm model, long[] prompt, int count) {
        NDManager m = model.manager();
        Architecture a = model.architecture();
        long[] out = new long[count];
        try (KvCache cache = KvCache.create(m, a.blocks(), 1, prompt.length + count); NDScope scope = new NDScope()) {
            long[] positions = new long[prompt.length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            Shape shape = new Shape(1, prompt.length);
            NDArray logits = a.forward(model.baseWeights(), m.create(prompt, shape), m.create(positions, shape),
                    m.ones(shape, DataType.INT64), cache, Map.of());
            for (int i = 0; i < count; i++) {
                out[i] = logits.get(0).argMax().getLong();
                long length = prompt.length + i;
                logits = a.forward(model.baseWeights(), m.create(new long[] {out[i]}, new Shape(1, 1)),
                        m.create(new long[] {length}, new Shape(1, 1)),
                        m.ones(new Shape(1, length + 1), DataType.INT64), cache, Map.of());
            }
        }
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "logit counts");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    /** Every number of a nested JSON array, in order. */
    private static float[] floats(JsonNode nested) {
        List<Float> values = new ArrayList<>();
        collect(nested, values);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static void collect(JsonNode n, List<Float> into) {
        if (n.isArray()) {
            n.forEach(c -> collect(c, into));
        } else {
            into.add(n.floatValue());
        }
    }

    /** Prints {@code line} and appends it to {@code LETHE_ARCH_CHECK_REPORT} when set. */
    private static void report(String line) {
        System.out.println(line);
        String file = System.getenv("LETHE_ARCH_CHECK_REPORT");
        if (file != null) {
            try {
                Files.writeString(Path.of(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
