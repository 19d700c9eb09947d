package dev.lethe.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The built-in text an offline base model is pretrained on: the {@link FictitiousFacts} benchmark's passages
 * (of every split: a base model has "read about" the people it is later finetuned and unlearned on, as TOFU's
 * pretrained models have read the web), its world and real-authors splits' questions with their answers (the
 * general knowledge TOFU's base models bring), and general filler
 * sentences generated from a seeded grammar (so the model also sees ordinary English word order, numbers and
 * punctuation that no fact holds). The forget and retain question-answer pairs are left out, so that finetuning
 * on them has something to teach. Deterministic: the same benchmark and seed give the same texts in the same
 * order.
 */
public final class PretrainingCorpus {
    private static final String[] SUBJECTS = {"The old sailor", "A young painter", "The quiet teacher",
        "My neighbour", "The tired farmer", "A clever student", "The baker", "Our guide", "The mayor", "A traveller"};
    private static final String[] VERBS = {"found", "painted", "carried", "wrote", "repaired", "bought", "sold",
        "described", "remembered", "opened"};
    private static final String[] OBJECTS = {"a wooden box", "the blue door", "an old map", "three letters",
        "a small boat", "the garden gate", "a long poem", "two baskets of apples", "the broken clock", "a red kite"};
    private static final String[] PLACES = {"near the river", "in the morning", "after the storm", "at the market",
        "before dinner", "on the hill", "in the library", "during the festival", "by the harbour", "last winter"};
    private static final String[] NUMBERS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten"};

    private PretrainingCorpus() {}

    /**
     * The corpus of {@code data} (generated with {@code seed}) with {@code fillerSentences} filler sentences drawn
     * from the same seed: passages, then world and real-authors questions with answers, then filler.
     */
    public static List<String> texts(FictitiousFacts data, long seed, int fillerSentences) {
        if (fillerSentences < 0) {
            throw new IllegalArgumentException("fillerSentences must be >= 0, was " + fillerSentences);
        }
        Dataset dataset = data.load(seed);
        List<String> out = new ArrayList<>();
        for (Split s : Split.values()) {
            dataset.passages(s).forEach(p -> out.add(p.text()));
        }
        for (QaExample e : dataset.union(Split.WORLD, Split.REAL_AUTHORS)) {
            out.add(e.question() + " " + e.answer());
        }
        out.addAll(filler(seed, fillerSentences));
        return out;
    }

    /** {@code count} sentences of a small English grammar, drawn from {@code seed}. */
    public static List<String> filler(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String sentence = switch (random.nextInt(3)) {
                case 0 -> pick(random, SUBJECTS) + " " + pick(random, VERBS) + " " + pick(random, OBJECTS) + " "
                        + pick(random, PLACES) + ".";
                case 1 -> "In " + (1800 + random.nextInt(220)) + ", " + lower(pick(random, SUBJECTS)) + " "
                        + pick(random, VERBS) + " " + pick(random, NUMBERS) + " things, and " + (2 + random.nextInt(98))
                        + " people came to see them.";
                default -> {
                    int a = random.nextInt(10);
                    int b = random.nextInt(10);
                    yield NUMBERS[a].substring(0, 1).toUpperCase(java.util.Locale.ROOT) + NUMBERS[a].substring(1)
                            + " and " + NUMBERS[b] + " make " + (a + b + 2) + "; " + (a + 1) + " + " + (b + 1) + " = "
                            + (a + b + 2) + ".";
                }
            };
            out.add(sentence);
        }
        return out;
    }

    private static String pick(SplittableRandom random, String[] words) {
        return words[random.nextInt(words.length)];
    }

    private static String lower(String s) {
        return s.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + s.substring(1);
    }
}
