package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lethe's batched, left-padded greedy generation against {@code transformers}' {@code generate} on the same
 * batch ({@code bench/python/hf_generate.py}): three prompts of 3, 8 and 5 tokens, 40 new tokens each, on every
 * float32, single-file case of {@code hf_reference.py} whose family Lethe supports (the others are skipped with
 * a message), with the KV cache and without it.
 */
class GenerationCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> cases() {
        return ReferencePython.run("hf_reference.py", 120, "cases").lines().map(String::strip)
                .filter(s -> !s.isEmpty() && !s.contains("sharded") && !s.endsWith("f16"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void batchedGreedyGenerationMatchesTransformers(String name, @TempDir Path tmp) throws IOException {
        String modelType = name.substring(0, name.indexOf('-'));
        assumeTrue(HfFamilies.supports(modelType), name + ": no HfFamily reads model_type " + modelType + " yet");
        Path folder = tmp.resolve(name);
        ReferencePython.run("hf_generate.py", 300, "make", "--case", name, "--out", folder.toString());
        JsonNode reference = JSON.readTree(folder.resolve("generate.json").toFile());
        List<int[]> prompts = new ArrayList<>();
        reference.get("prompts").forEach(p -> prompts.add(ints(p)));
        try (HfFolder.Pretrained p = HfFolder.load(folder, Device.cpu())) {
            Generator generator = new Generator(p.model());
            List<int[]> cached = generator.generate(prompts, Generation.greedy(40));
            List<int[]> recomputed = generator.generate(prompts, Generation.greedy(40).withCache(false));
            for (int r = 0; r < prompts.size(); r++) {
                // each mode against transformers' same mode: they differ where numbers depend on the length seen
                int[] expected = ints(reference.get("greedy").get(r));
                int[] expectedUncached = ints(reference.get("greedy_uncached").get(r));
                System.out.printf("%s prompt %d (%d tokens) batched-greedy-40 cached %s recomputed %s%n", name, r,
                        prompts.get(r).length, same(expected, cached.get(r)), same(expectedUncached, recomputed.get(r)));
                assertEquals(Arrays.toString(expected), Arrays.toString(cached.get(r)), name + " prompt " + r + " cached");
                assertEquals(Arrays.toString(expectedUncached), Arrays.toString(recomputed.get(r)),
                        name + " prompt " + r + " recomputed");
            }
        }
    }

    private static String same(int[] expected, int[] actual) {
        return Arrays.equals(expected, actual) ? "same" : "differs";
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
