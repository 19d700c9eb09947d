package dev.lethe.data;

import java.util.List;

/**
 * A multiple-choice question in WMDP's layout (Li et al. 2024, "The WMDP Benchmark"): a question, its
 * options and the index of the correct one. Options may repeat, as a few rows of published benchmarks do: the
 * lettered format tells them apart by letter, and the cloze format scores a repeated option's text the same, so the
 * first copy wins the tie.
 *
 * @param question the question
 * @param options the options, at least two
 * @param answer index of the correct option in {@code options}
 * @param subject who or what the question is about, empty when unknown
 * @param fact the kind of fact, empty when unknown
 */
public record MultipleChoice(String question, List<String> options, int answer, String subject, String fact) {

    /** Copies the options and checks that there are two or more and that the answer indexes one. */
    public MultipleChoice {
        options = List.copyOf(options);
        if (options.size() < 2) {
            throw new IllegalArgumentException("a multiple-choice question needs at least 2 options, had "
                    + options.size() + ": " + question);
        }
        if (answer < 0 || answer >= options.size()) {
            throw new IllegalArgumentException("answer index " + answer + " is outside the " + options.size()
                    + " options of: " + question);
        }
    }

    /** The correct option. */
    public String correct() {
        return options.get(answer);
    }
}
