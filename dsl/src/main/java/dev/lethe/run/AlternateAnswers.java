package dev.lethe.run;

import dev.lethe.data.Encoded;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Generation;
import dev.lethe.model.Generator;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Alternates;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The alternate answers of {@link Alternates}, sampled from a frozen reference as the AltPO authors'
 * {@code generate.py} samples them: the reference is shown the question and its answer and asked for another version with alternate
 * plausible facts ({@link #instruction}, their Llama-2 template's words, formatted by the tokenizer's chat template
 * where it has one), K samples are drawn, each is cut at a following "Question:" or "Q:" (their stop strings),
 * stripped, and encoded as an answer to the question. Kept for as long as the reference lives, keyed on content (the
 * instruction's text and the sampling settings; a reference is one stage's frozen copy, so it identifies the model).
 * The K samples of a prompt are one generation of K copies of it, seeded from the settings' seed and the
 * instruction's text: the same rows and shapes whatever batch the example is in, so the same tokens, whenever and in
 * whatever order they are first asked for.
 */
final class AlternateAnswers {
    private static final List<String> STOPS = List.of("Question:", "Q:");
    private static final Map<CausalLm, Map<String, List<String>>> CACHE = Collections.synchronizedMap(
            new WeakHashMap<>());

    private AlternateAnswers() {}

    /**
     * The authors' request for an alternate answer (their {@code INST_QAS_TEMPLATE_QUERY} without Llama-2's
     * {@code [INST]} markers, which a chat template supplies).
     */
    static String instruction(String question, String answer) {
        return "Question: " + question + "\nAnswer: " + answer + "\nNow write another version of the answer with some "
                + "alternate plausible facts that change answer details.\nAlternate Answer :";
    }

    /**
     * The K examples (the example's prompt with each alternate as its answer, closed by {@code <eos>}, cut to the
     * reference's context) of each of {@code examples}, example after example; {@code questions} are their texts
     * (an empty one is read back from the prompt's ids).
     */
    static List<Encoded> of(CausalLm reference, Tokenizer tokenizer, List<Encoded> examples, List<String> questions,
            Alternates alternates) {
        Map<String, List<String>> cache = CACHE.computeIfAbsent(reference, r -> Collections.synchronizedMap(
                new HashMap<>()));
        int context = reference.spec().contextLength();
        List<Encoded> out = new ArrayList<>(examples.size() * alternates.samples());
        for (int i = 0; i < examples.size(); i++) {
            Encoded e = examples.get(i);
            String question = questions.get(i).isEmpty() ? tokenizer.decode(e.prompt()).strip() : questions.get(i);
            String request = instruction(question, tokenizer.decode(e.answer()).strip());
            List<String> answers = cache.computeIfAbsent(request + "\u0000" + alternates,
                    k -> sample(reference, tokenizer, request, alternates));
            for (String answer : answers) {
                out.add(new Encoded(e.prompt(), tokenizer.encodeAnswer(question, answer)).fit(context));
            }
        }
        return out;
    }

    private static List<String> sample(CausalLm reference, Tokenizer tokenizer, String request, Alternates alternates) {
        int context = reference.spec().generationLimit();
        int[] words = tokenizer.encodePrompt(request);
        int newTokens = Math.min(alternates.maxNewTokens(), Math.max(1, context / 2));
        int keep = Math.min(words.length, context - newTokens - 1);
        int[] input = new int[keep + 1];
        input[0] = tokenizer.bosId();
        System.arraycopy(words, words.length - keep, input, 1, keep);
        Generation sampling = Generation.sampling(newTokens, Seeds.derive(alternates.seed(), "alternates " + request))
                .withTemperature(alternates.temperature()).withEos(tokenizer.eosId())
                .withStopStrings(STOPS.toArray(String[]::new));
        List<String> out = new ArrayList<>(alternates.samples());
        for (int[] ids : new Generator(reference, tokenizer).generate(Collections.nCopies(alternates.samples(), input),
                sampling)) {
            String text = tokenizer.decode(ids);
            for (String stop : STOPS) {
                int at = text.indexOf(stop);
                text = at < 0 ? text : text.substring(0, at);
            }
            out.add(text.strip());
        }
        return List.copyOf(out);
    }
}
