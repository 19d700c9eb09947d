package dev.lethe.attack;

import dev.lethe.data.Dataset;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import java.util.EnumMap;
import java.util.List;

/**
 * Asks the forget questions in other words: every forget example's question is replaced by its
 * {@link QaExample#paraphrasedQuestion()}, the other splits are unchanged. Unlearning that only suppresses
 * the trained surface form leaks under rephrasing (Lynch et al. 2024, "Eight Methods to Evaluate Robust
 * Unlearning in LLMs", arXiv:2402.16835; TOFU's paraphrased questions, Maini et al. 2024).
 */
public record ParaphrasePrompts() implements DataAttack {

    /** {@code paraphrase}. */
    @Override
    public String name() {
        return "paraphrase";
    }

    @Override
    public Dataset transform(Dataset data) {
        return rewriteForget(data, e -> new QaExample(e.paraphrasedQuestion(), e.answer(), e.paraphrasedQuestion(),
                e.paraphrasedAnswer(), e.perturbedAnswers(), e.subject(), e.fact()));
    }

    /** {@code data} with every forget example rewritten by {@code rewrite}. */
    static Dataset rewriteForget(Dataset data, java.util.function.UnaryOperator<QaExample> rewrite) {
        EnumMap<Split, List<QaExample>> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            splits.put(s, s == Split.FORGET ? data.get(s).stream().map(rewrite).toList() : data.get(s));
        }
        return new Dataset(splits);
    }
}
