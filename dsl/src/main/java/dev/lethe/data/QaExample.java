package dev.lethe.data;

import java.util.List;

/**
 * One question-answer pair in TOFU's layout.
 *
 * @param question the question as trained
 * @param answer the correct answer
 * @param paraphrasedQuestion the same question in other words
 * @param paraphrasedAnswer the correct answer as the truth ratio scores it (TOFU's {@code paraphrased_answer},
 *     the answer in other words; the answer itself where TOFU has none: world facts and real authors; see
 *     {@link FictitiousFacts})
 * @param perturbedAnswers wrong but plausible answers in the same frame as {@code paraphrasedAnswer}
 * @param subject who or what the fact is about (a person's name, a country)
 * @param fact the kind of fact ({@code birth_year}, {@code city}, ...)
 */
public record QaExample(String question, String answer, String paraphrasedQuestion, String paraphrasedAnswer,
        List<String> perturbedAnswers, String subject, String fact) {

    /** Copies the list of perturbed answers. */
    public QaExample {
        perturbedAnswers = List.copyOf(perturbedAnswers);
    }

    /** Every text of the example, for fitting a tokenizer. */
    public List<String> texts() {
        var all = new java.util.ArrayList<>(List.of(question, answer, paraphrasedQuestion, paraphrasedAnswer));
        all.addAll(perturbedAnswers);
        return all;
    }
}
