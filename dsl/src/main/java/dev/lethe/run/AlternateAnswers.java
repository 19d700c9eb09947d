package dev.lethe.run;

import dev.lethe.data.Encoded;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Generation;
import dev.lethe.model.Generator;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Alternates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The alternate answers of {@link Alternates}, sampled from a frozen reference and kept for as long as that
 * reference lives, keyed on content: the prompt's token ids and the sampling settings (a reference is one stage's
 * frozen copy, so it identifies the model the answers come from). The K answers of a prompt are one generation of
 * K copies of {@code <bos>} + prompt, seeded from the settings' seed and the prompt's ids: the same rows and shapes
 * whatever batch the example is in, so the same tokens, whenever and in whatever order they are first asked for.
 */
final class AlternateAnswers {
    private static final Map<CausalLm, Map<String, List<int[]>>> CACHE = Collections.synchronizedMap(
            new WeakHashMap<>());

    private AlternateAnswers() {}

    /**
     * The K examples (the prompt with each alternate answer, closed by {@code <eos>}, cut to the reference's
     * context) of each of {@code examples}, example after example.
     */
    static List<Encoded> of(CausalLm reference, Tokenizer tokenizer, List<Encoded> examples, Alternates alternates) {
        Map<String, List<int[]>> cache = CACHE.computeIfAbsent(reference, r -> Collections.synchronizedMap(
                new HashMap<>()));
        int context = reference.spec().contextLength();
        List<Encoded> out = new ArrayList<>(examples.size() * alternates.samples());
        for (Encoded e : examples) {
            int[] prompt = e.prompt();
            String key = Arrays.toString(prompt) + " " + alternates;
            List<int[]> answers = cache.computeIfAbsent(key, k -> sample(reference, tokenizer, prompt, alternates));
            for (int[] answer : answers) {
                out.add(new Encoded(prompt, answer).fit(context));
            }
        }
        return out;
    }

    private static List<int[]> sample(CausalLm reference, Tokenizer tokenizer, int[] prompt, Alternates alternates) {
        int context = reference.spec().contextLength();
        int room = context - prompt.length - 2;
        if (room < 1) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens leaves no room for an "
                    + "alternate answer in the model's context of " + context + " tokens");
        }
        int[] input = new int[prompt.length + 1];
        input[0] = tokenizer.bosId();
        System.arraycopy(prompt, 0, input, 1, prompt.length);
        Generation sampling = Generation.sampling(Math.min(alternates.maxNewTokens(), room),
                        Seeds.derive(alternates.seed(), "alternates " + Arrays.toString(prompt)))
                .withTemperature(alternates.temperature()).withEos(tokenizer.eosId());
        return List.copyOf(new Generator(reference).generate(Collections.nCopies(alternates.samples(), input),
                sampling));
    }
}
