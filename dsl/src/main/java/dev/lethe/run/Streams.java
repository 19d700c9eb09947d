package dev.lethe.run;

import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The seeded batch streams the training stages draw from. */
final class Streams {
    private Streams() {}

    /**
     * One stream per split whose batch sizes are proportional to the split sizes (at least 1 each). A training
     * stream holds the split's question-answer examples and/or its passages, each passage as an answer without
     * a prompt: the learned model has read the passages it is later asked to
     * continue (MUSE's VerbMem), and the reference has read those of its own splits only. Stream seeds derive
     * from {@code seed} and {@code stage.<split>}. Every example is {@linkplain Encoded#cut cut} to
     * {@code maxLength} input tokens.
     *
     * @throws IllegalArgumentException naming the stage, split and row of an example whose prompt fills
     *     {@code maxLength}
     */
    static Map<Split, BatchStream> proportional(String stage, long seed, Dataset data, Tokenizer tokenizer,
            int batchSize, int maxLength, Texts texts, List<Split> splits) {
        Map<Split, List<Encoded>> encoded = new EnumMap<>(Split.class);
        Map<Split, List<String>> questions = new EnumMap<>(Split.class);
        long total = 0;
        for (Split s : splits) {
            List<Encoded> examples = new ArrayList<>();
            List<String> asked = new ArrayList<>();
            add(stage, s, tokenizer, maxLength, texts, data.get(s), data.passages(s), examples, asked);
            encoded.put(s, examples);
            questions.put(s, asked);
            total += examples.size();
        }
        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
        for (Split s : splits) {
            List<Encoded> examples = encoded.get(s);
            if (examples.isEmpty()) {
                continue;
            }
            int size = (int) Math.max(1, Math.round((double) batchSize * examples.size() / total));
            streams.put(s, new BatchStream(examples, questions.get(s), size, Seeds.derive(seed, stage + "." + s.id())));
        }
        return streams;
    }

    /**
     * One stream per split of {@code batchSize} examples each, as unlearning draws them: the forget split is
     * {@code forget} (a request's chunk) and its passages {@code forgetPassages}; the other splits are whole.
     * Every example is {@linkplain Encoded#cut cut} to {@code maxLength} input tokens.
     *
     * @throws IllegalArgumentException naming the stage, split and row of an example whose prompt fills
     *     {@code maxLength}
     */
    static Map<Split, BatchStream> perSplit(String stage, long seed, Dataset data, Tokenizer tokenizer, int batchSize,
            int maxLength, Texts texts, List<QaExample> forget, List<Passage> forgetPassages) {
        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            List<Encoded> encoded = new ArrayList<>();
            List<String> questions = new ArrayList<>();
            add(stage, s, tokenizer, maxLength, texts, s == Split.FORGET ? forget : data.get(s),
                    s == Split.FORGET ? forgetPassages : data.passages(s), encoded, questions);
            if (!encoded.isEmpty()) {
                streams.put(s, new BatchStream(encoded, questions, batchSize, Seeds.derive(seed, stage + "." + s.id())));
            }
        }
        return streams;
    }

    /**
     * Appends {@code split}'s training examples to {@code encoded} (its question-answer pairs when {@code texts}
     * has answers, then its passages when it has passages) and each one's question to {@code questions} (empty for
     * a passage).
     */
    private static void add(String stage, Split split, Tokenizer tokenizer, int maxLength, Texts texts,
            List<QaExample> qa, List<Passage> passages, List<Encoded> encoded, List<String> questions) {
        if (texts.answers()) {
            encoded.addAll(answers(stage, split, tokenizer, qa, maxLength));
            qa.forEach(e -> questions.add(e.question()));
        }
        if (texts.passages()) {
            encoded.addAll(passageExamples(tokenizer, passages, maxLength));
            passages.forEach(p -> questions.add(""));
        }
    }

    /**
     * A stream of {@code examples}' answers in batches of {@code batchSize}, seeded by {@code label}, each example
     * {@linkplain Encoded#cut cut} to {@code maxLength} input tokens (an attack's relearning data).
     */
    static BatchStream of(String label, long seed, List<QaExample> examples, Tokenizer tokenizer, int batchSize,
            int maxLength) {
        return new BatchStream(Encoded.cut(Encoded.all(tokenizer, examples), maxLength, label + " data",
                i -> "'" + examples.get(i).question() + "'"), examples.stream().map(QaExample::question).toList(),
                batchSize, Seeds.derive(seed, label));
    }

    /**
     * Each passage as an answer without a prompt, {@linkplain Encoded#cut cut} to {@code maxLength} input tokens:
     * a passage that fits is followed by {@code <eos>}; a longer one keeps its first {@code maxLength} tokens,
     * the last a target only, without {@code <eos>} (open-unlearning's {@code preprocess_pretraining_instance}
     * cuts MUSE's passages at the end, too).
     */
    static List<Encoded> passageExamples(Tokenizer tokenizer, List<Passage> passages, int maxLength) {
        List<Encoded> out = new ArrayList<>(passages.size());
        for (Passage p : passages) {
            out.add(Objects.requireNonNull(new Encoded(new int[0], tokenizer.encode(p.text())).cut(maxLength)));
        }
        return out;
    }

    /**
     * {@code examples}' question-answer pairs encoded and cut to {@code maxLength} input tokens.
     *
     * @throws IllegalArgumentException naming the stage, split and row of an example whose prompt fills it
     */
    static List<Encoded> answers(String stage, Split split, Tokenizer tokenizer, List<QaExample> examples,
            int maxLength) {
        return Encoded.cut(Encoded.all(tokenizer, examples), maxLength,
                "stage " + stage + ", the " + split.id() + " split",
                i -> "'" + examples.get(i).question() + "'");
    }

    /** The longest training input: {@code maxLength} when set (above 0), at most {@code contextLength}. */
    static int maxLength(int maxLength, int contextLength) {
        return maxLength > 0 ? Math.min(maxLength, contextLength) : contextLength;
    }

    /**
     * The forget passages of request {@code r}: those about the people request {@code r}'s questions are about
     * and no earlier request's; all of them when there is one request.
     *
     * @throws IllegalArgumentException when, with several requests, a passage is about nobody any request asks about
     */
    static List<Passage> requestPassages(List<Passage> passages, List<List<QaExample>> chunks, int r) {
        if (chunks.size() == 1) {
            return passages;
        }
        Map<String, Integer> firstRequest = new LinkedHashMap<>();
        for (int i = 0; i < chunks.size(); i++) {
            for (QaExample e : chunks.get(i)) {
                firstRequest.putIfAbsent(e.subject(), i);
            }
        }
        List<Passage> out = new ArrayList<>();
        for (Passage p : passages) {
            Integer request = firstRequest.get(p.subject());
            if (request == null) {
                throw new IllegalArgumentException("cannot give the forget passage about '" + p.subject() + "' to one of "
                        + chunks.size() + " unlearning requests: no forget question is about that subject");
            }
            if (request == r) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * {@code forget} cut into {@code k} disjoint contiguous chunks in order, the first {@code size % k} one
     * example longer than the others.
     */
    static List<List<QaExample>> requests(List<QaExample> forget, int k) {
        if (k > 1 && k > forget.size()) {
            throw new IllegalArgumentException("cannot cut a forget split of " + forget.size() + " examples into "
                    + k + " unlearning requests");
        }
        List<List<QaExample>> out = new ArrayList<>(k);
        int from = 0;
        for (int i = 0; i < k; i++) {
            int size = forget.size() / k + (i < forget.size() % k ? 1 : 0);
            out.add(List.copyOf(forget.subList(from, from + size)));
            from += size;
        }
        return out;
    }
}
